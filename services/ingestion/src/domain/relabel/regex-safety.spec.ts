import { RegexAnalysis } from './re2-analysis';
import { parseRelabelRegex } from './re2-syntax';
import { compileRelabelRegex, DEFAULT_MAX_BACKTRACKING_WORK } from './relabel-regex';

// A tenant's regex must not be able to stall the event loop. JavaScript's backtracking RegExp gets an
// input only when the pattern's estimated worst case for an input of that length fits
// DEFAULT_MAX_BACKTRACKING_WORK (and when it gives Go's result); every other input goes to the
// linear-time matcher.

const VALUE = 4096; // the decoder's longest label value
const LINEAR = [65_536, 1 << 20] as const;

describe('engine choice', () => {
  it.each([
    // the default regex, literals and alternations of literals: no regex engine to test a match
    ['(.*)', 'literal', 0],
    ['id|name|image', 'literal', Infinity],
    ['^metrics$', 'literal', Infinity],
    ['Succeeded|Failed', 'literal', Infinity],
    // linear backtracking: JavaScript for any input a series can carry (up to ~1M/steps per character)
    ['f(.*)', 'js', LINEAR],
    ['container_(cpu|memory)_.*', 'js', LINEAR],
    ['__meta_kubernetes_pod_label_(.+)', 'js', LINEAR],
    ['([^:]+):\\d+', 'js', LINEAR],
    ['(.*);(.*)', 'js', LINEAR],
    ['([^;]*);([^;]*);(.*)', 'js', LINEAR],
    ['(?i)kube_.*_(total|count)', 'js', LINEAR],
    ['(\\d{1,3}\\.){3}\\d{1,3}', 'js', Infinity], // bounded repetitions: cost independent of length
    ['.*-metrics', 'js', LINEAR],
    // polynomial: JavaScript for the short values series carry, the linear matcher for long ones
    ['(.*);(.*);(.*)', 'js', [500, 1100]],
    ['(.+?)(?::\\d+)?;(\\d+)', 'js', [500, 1100]],
    ['(.+);(.+)-[0-9a-f]{10}-[0-9a-f]{5}', 'js', [200, 1100]],
    ['(.*)(.*)x', 'js', [500, 1100]],
    ['.*.*.*.*.*x', 'js', [10, 100]],
    // exponential (an ambiguous repeated body): never JavaScript
    ['(a+)+b', 'linear', 0],
    ['(a|a)*b', 'linear', 0],
    ['(a|aa)*c', 'linear', 0],
    ['(.*a){20}', 'linear', 0],
    ['(\\w+\\s?)+x', 'linear', 0],
    ['(x+x+)+y', 'linear', 0],
    // where JavaScript's answer would differ from Go's: never JavaScript
    ['((a)|b)+', 'linear', 0],
    ['(?:|a)?(a*)', 'linear', 0],
  ] as const)('%s runs on %s (JavaScript up to %p code units)', (pattern, engine, jsMax) => {
    const regex = compileRelabelRegex(pattern);
    expect(regex.engine).toBe(engine);
    if (typeof jsMax === 'number') expect(regex.jsMaxInputLength).toBe(jsMax);
    else {
      expect(regex.jsMaxInputLength).toBeGreaterThanOrEqual(jsMax[0]);
      expect(regex.jsMaxInputLength).toBeLessThanOrEqual(jsMax[1]);
    }
  });

  it('estimates degree by degree', () => {
    const bound = (pattern: string, length: number): number =>
      new RegexAnalysis().backtrackingBound(parseRelabelRegex(pattern).root, length);
    expect(bound('[^;]*;(.*)', 1000)).toBeLessThan(10_000); // linear: each choice decided by the next char
    expect(bound('(.*);(.*)x', 1000)).toBeGreaterThan(1_000_000); // two ambiguous splits: quadratic
    expect(bound('(a|a)*b', 10)).toBe(Infinity); // ambiguous body repeated: exponential
    expect(DEFAULT_MAX_BACKTRACKING_WORK).toBe(1 << 20);
  });
});

describe('pattern size', () => {
  it('takes long alternations of metric names (no linear matcher needed)', () => {
    const names = Array.from({ length: 2_000 }, (_, i) => `metric_number_${i}_total`);
    const regex = compileRelabelRegex(names.join('|'));
    expect(regex.engine).toBe('literal');
    expect(regex.test('metric_number_1999_total')).toBe(true);
    expect(regex.test('metric_number_2000_total')).toBe(false);
  });

  it('refuses a pattern too large for the linear matcher, when it may need it', () => {
    const prefixes = Array.from({ length: 400 }, (_, i) => `metric_number_${i}_.*`).join('|');
    expect(() => compileRelabelRegex(prefixes)).toThrow(
      'the expression needs more than 5000 instructions in the linear-time matcher; split it across rules',
    );
    expect(compileRelabelRegex(prefixes.split('|').slice(0, 100).join('|')).engine).toBe('js');
  });
});

describe('hostile patterns on hostile inputs', () => {
  // Each of these takes seconds to ages in a backtracking engine on its input.
  it.each([
    ['(a+)+b', 'a'.repeat(VALUE)],
    ['(a|a)*b', 'a'.repeat(VALUE)],
    ['(a|aa)*c', 'a'.repeat(VALUE)],
    ['(.*a){20}', 'a'.repeat(VALUE) + 'b'],
    ['(\\w+\\s?)+x', 'ab '.repeat(VALUE / 3)],
    ['.*.*.*.*.*x', 'a'.repeat(VALUE)],
    ['(.*);(.*);(.*)x', ';'.repeat(3 * VALUE)],
    ['(.*)(.*)x', 'a'.repeat(200_000)],
    ['(x+x+)+y', 'x'.repeat(VALUE)],
    ['^(([a-z])+.)+[A-Z]([a-z])+$', 'a'.repeat(VALUE)],
  ])('%s finishes quickly', (pattern, input) => {
    const regex = compileRelabelRegex(pattern);
    const started = process.hrtime.bigint();
    expect(regex.exec(input)).toBeNull();
    expect(regex.test(input)).toBe(false);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(ms).toBeLessThan(1_000); // typically a few milliseconds
  });
});
