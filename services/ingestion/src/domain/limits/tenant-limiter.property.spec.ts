import fc from 'fast-check';
import type { Label } from '../remote-write';
import { seriesKey, TenantLimiter, type AdmissionSeries } from './index';

const T0 = 1_700_000_040_000;
const MINUTE = 60_000;

describe('token bucket (property)', () => {
  it('never admits more than rate × time + burst samples over any interval', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 6_000 })), { minLength: 1, maxLength: 60 }),
        (rate, burst, requests) => {
          const limiter = new TenantLimiter();
          limiter.setTenantLimits('t', { maxSamplesPerSecond: rate, burstSamples: burst, maxActiveSeries: 100 });
          const labels = Object.freeze([{ name: '__name__', value: 'm' }]);
          const accepted: [number, number][] = [];
          let now = T0;
          for (const [gap, samples] of requests) {
            now += gap;
            if (limiter.admit('t', [{ labels, samples }], now).ok) accepted.push([now, samples]);
          }
          for (let i = 0; i < accepted.length; i++) {
            let total = 0;
            for (let j = i; j < accepted.length; j++) {
              total += accepted[j][1];
              const seconds = (accepted[j][0] - accepted[i][0]) / 1000;
              expect(total).toBeLessThanOrEqual(burst + rate * seconds + 1e-6);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

// --- active series against a plain model -------------------------------------------------------------

const UNIVERSE = 40;
const METRICS = ['cpu', 'mem', 'net'];
const seriesLabels: readonly (readonly Label[])[] = Array.from({ length: UNIVERSE }, (_, id) =>
  Object.freeze([
    { name: '__name__', value: METRICS[id % METRICS.length] },
    { name: 'id', value: String(id) },
  ]),
);

type Op = { kind: 'admit'; gapMs: number; ids: number[] } | { kind: 'limit'; max: number };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.record({
      kind: fc.constant('admit' as const),
      gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 4 * MINUTE }), fc.integer({ min: 0, max: 30 * MINUTE })),
      ids: fc.array(fc.integer({ min: 0, max: UNIVERSE - 1 }), { maxLength: 12 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('limit' as const), max: fc.integer({ min: 1, max: 30 }) }) },
);

class Model {
  readonly lastSeen = new Map<number, number>();
  minute = -Infinity;

  constructor(readonly window: number) {}

  active(): number[] {
    return [...this.lastSeen].filter(([, last]) => last >= this.minute - this.window).map(([id]) => id);
  }
}

describe('active series (property, against a model)', () => {
  it.each(['refuse-request', 'drop-series'] as const)('%s: admits, refuses and counts exactly as the model', (mode) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 25 }), fc.array(opArb, { maxLength: 40 }), (window, max, ops) => {
        const limiter = new TenantLimiter({ newSeriesOverLimit: mode });
        const limits = { maxActiveSeries: max, activeWindowMinutes: window, maxSamplesPerSecond: 1e9, burstSamples: 1e12 };
        limiter.setTenantLimits('t', limits);
        const model = new Model(window);
        let maxActive = max;
        let now = T0;
        for (const op of ops) {
          if (op.kind === 'limit') {
            maxActive = op.max;
            limiter.setTenantLimits('t', { ...limits, maxActiveSeries: op.max });
            continue;
          }
          now += op.gapMs;
          model.minute = Math.max(model.minute, Math.floor(now / MINUTE));
          const active = new Set(model.active());
          const fresh = [...new Set(op.ids.filter((id) => !active.has(id)))];
          const room = Math.max(0, maxActive - active.size);
          const request: AdmissionSeries[] = op.ids.map((id) => ({ labels: seriesLabels[id], samples: 1 }));
          const result = limiter.admit('t', request, now);

          if (fresh.length === 0) expect(result.ok).toBe(true); // existing series are never refused
          if (mode === 'refuse-request') {
            expect(result.ok).toBe(fresh.length <= room);
            if (!result.ok) expect(result.limit).toBe('max_active_series');
            if (result.ok) for (const id of op.ids) model.lastSeen.set(id, model.minute);
          } else {
            const refused = new Set(fresh.slice(room));
            expect(result).toEqual({
              ok: true,
              droppedSeries: op.ids.flatMap((id, i) => (refused.has(id) ? [i] : [])),
              droppedSamples: op.ids.filter((id) => refused.has(id)).length,
            });
            for (const id of op.ids) if (!refused.has(id)) model.lastSeen.set(id, model.minute);
          }

          const expectedActive = model.active();
          expect(limiter.activeSeries('t', now)).toBe(expectedActive.length);
          const byMetric = new Map<string, number>();
          for (const id of expectedActive) byMetric.set(METRICS[id % 3], (byMetric.get(METRICS[id % 3]) ?? 0) + 1);
          const report = limiter.cardinality('t', now, 10);
          expect(Object.fromEntries(report.byMetricName.map((m) => [m.metricName, m.activeSeries]))).toEqual(Object.fromEntries(byMetric));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('seriesKey (property)', () => {
  const labelSet = fc.uniqueArray(fc.record({ name: fc.string({ minLength: 1, maxLength: 6 }), value: fc.string({ maxLength: 8 }) }), {
    selector: (label) => label.name,
    maxLength: 6,
  });

  it('depends on the label set, not on its order', () => {
    fc.assert(
      fc.property(labelSet, fc.nat(), (labels, seed) => {
        const shuffled = [...labels].sort((a, b) => ((a.name.charCodeAt(0) * 31 + seed) % 7) - ((b.name.charCodeAt(0) * 31 + seed) % 7));
        expect(seriesKey(shuffled)).toEqual(seriesKey(labels));
      }),
    );
  });

  it('separates different label sets (no collisions in a sample, even for shifted boundaries)', () => {
    fc.assert(
      fc.property(labelSet, labelSet, (a, b) => {
        const same = (x: Label[], y: Label[]): boolean => {
          const key = (ls: Label[]): string => JSON.stringify([...ls].sort((p, q) => (p.name < q.name ? -1 : 1)));
          return key(x) === key(y);
        };
        if (!same(a, b)) expect(seriesKey(a)).not.toEqual(seriesKey(b));
      }),
      { numRuns: 2000 },
    );
    expect(seriesKey([{ name: 'a', value: 'bc' }])).not.toEqual(seriesKey([{ name: 'ab', value: 'c' }]));
  });
});
