import fc from 'fast-check';
import { isValidLabelName, isValidMetricName } from './prometheus-names';

// The rules as Prometheus states them; the implementation avoids regexes on the hot path.
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

describe('Prometheus name rules', () => {
  const candidates = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: fc.constantFrom(...'aZ_:09-. é'), maxLength: 8 }),
    fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,10}$/),
  );

  it('agrees with the label-name regex', () => {
    fc.assert(fc.property(candidates, (name) => expect(isValidLabelName(name)).toBe(LABEL_NAME.test(name))), { numRuns: 5_000 });
  });

  it('agrees with the metric-name regex', () => {
    fc.assert(fc.property(candidates, (name) => expect(isValidMetricName(name)).toBe(METRIC_NAME.test(name))), { numRuns: 5_000 });
  });

  it.each([
    ['__name__', true, true],
    ['', false, false],
    ['9lives', false, false],
    [':recording:rule', false, true],
    ['node_cpu_seconds_total', true, true],
    ['a\n', false, false],
  ])('%j: label name %s, metric name %s', (name, label, metric) => {
    expect([isValidLabelName(name), isValidMetricName(name)]).toEqual([label, metric]);
  });
});
