import type { Label } from '../remote-write';
import { TenantLimiter, type AdmissionSeries, type TenantLimits } from './index';

const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 60_000); // a minute boundary
const MINUTE = 60_000;

function labels(metric: string, extra: Record<string, string> = {}): readonly Label[] {
  return Object.freeze(
    [{ name: '__name__', value: metric }, ...Object.entries(extra).map(([name, value]) => ({ name, value }))].sort((a, b) =>
      a.name < b.name ? -1 : 1,
    ),
  );
}

const series = (metric: string, id: number, samples = 1): AdmissionSeries => ({ labels: labels(metric, { id: String(id) }), samples });
const range = (metric: string, from: number, to: number, samples = 1): AdmissionSeries[] =>
  Array.from({ length: to - from }, (_, i) => series(metric, from + i, samples));

function limiter(limits: Partial<TenantLimits>, mode?: 'refuse-request' | 'drop-series'): TenantLimiter {
  const l = new TenantLimiter({ newSeriesOverLimit: mode });
  l.setTenantLimits('acme', limits);
  return l;
}

describe('TenantLimiter: samples per second (token bucket)', () => {
  const rate = { maxSamplesPerSecond: 100, burstSamples: 500, maxActiveSeries: 1_000 };

  it.each([
    { name: 'a full bucket takes the burst at once', requests: [[0, 500]], accepted: [true] },
    { name: 'beyond the burst is refused', requests: [[0, 500], [0, 1]], accepted: [true, false] },
    { name: 'refills at the rate', requests: [[0, 500], [1_000, 100], [1_000, 1]], accepted: [true, true, false] },
    { name: 'refills fractions', requests: [[0, 500], [250, 25], [250, 1]], accepted: [true, true, false] },
    { name: 'never above the burst after a quiet hour', requests: [[0, 500], [3_600_000, 500], [3_600_000, 1]], accepted: [true, true, false] },
    { name: 'a refused request takes nothing', requests: [[0, 450], [0, 100], [0, 50]], accepted: [true, false, true] },
    { name: 'time going back refills nothing', requests: [[1_000, 500], [0, 1], [500, 1]], accepted: [true, false, false] },
  ])('$name', ({ requests, accepted }) => {
    const l = limiter(rate);
    const results = requests.map(([at, samples], i) => l.admit('acme', [series('m', i, samples)], T0 + at).ok);
    expect(results).toEqual(accepted);
  });

  it('answers with the limit, the current value and when to retry', () => {
    const l = limiter(rate);
    l.admit('acme', [series('m', 1, 450)], T0);
    expect(l.admit('acme', [series('m', 2, 300)], T0)).toEqual({
      ok: false,
      limit: 'max_samples_per_second',
      message: 'tenant "acme": the request\'s 300 samples exceed the 50 available now: max_samples_per_second is 100 with a burst of 500; retry in 3 s',
      retryAfterSeconds: 3,
    });
  });

  it('says when a request is larger than the burst and can never pass', () => {
    const result = limiter(rate).admit('acme', [series('m', 1, 501)], T0);
    expect(result).toMatchObject({ ok: false, limit: 'max_samples_per_second', retryAfterSeconds: 5 });
    expect(result.ok === false && result.message).toBe(
      'tenant "acme": the request\'s 501 samples exceed the burst: max_samples_per_second is 100 with a burst of 500, ' +
        'so it can never be accepted; send smaller requests (Prometheus queue_config.max_samples_per_send)',
    );
  });

  it('keeps tenants apart and counts refusals per tenant', () => {
    const l = limiter(rate);
    l.setTenantLimits('other', rate);
    expect(l.admit('acme', [series('m', 1, 500)], T0).ok).toBe(true);
    expect(l.admit('other', [series('m', 1, 500)], T0).ok).toBe(true);
    expect(l.admit('acme', [series('m', 1, 7)], T0).ok).toBe(false);
    expect(l.refusals('acme')).toEqual({
      requests: { max_active_series: 0, max_samples_per_second: 1 },
      samples: { max_active_series: 0, max_samples_per_second: 7 },
      droppedSeries: 0,
    });
    expect(l.refusals('other').requests.max_samples_per_second).toBe(0);
  });
});

describe('TenantLimiter: active series', () => {
  const few = { maxActiveSeries: 3, maxSamplesPerSecond: 1e6, burstSamples: 1e6, activeWindowMinutes: 20 };

  it('admits new series up to the limit, then refuses requests bringing more', () => {
    const l = limiter(few);
    expect(l.admit('acme', range('m', 0, 2), T0).ok).toBe(true);
    expect(l.admit('acme', range('m', 2, 4), T0)).toEqual({
      ok: false,
      limit: 'max_active_series',
      message:
        'tenant "acme": max_active_series is 3 and 2 series are active; the request\'s 2 new series would exceed it ' +
        '(a series is active for 20 minutes after its last sample); retry in 1260 s at the earliest, when enough series ' +
        'have been idle for 20 minutes',
      retryAfterSeconds: 21 * 60,
    });
    expect(l.activeSeries('acme', T0)).toBe(2); // the refused request registered nothing
    expect(l.admit('acme', range('m', 2, 3), T0).ok).toBe(true);
    expect(l.activeSeries('acme', T0)).toBe(3);
  });

  it('never refuses series that are already active, even with a new one in another request', () => {
    const l = limiter(few);
    l.admit('acme', range('m', 0, 3), T0);
    expect(l.admit('acme', range('m', 3, 4), T0 + MINUTE).ok).toBe(false);
    for (let minute = 1; minute < 60; minute++) expect(l.admit('acme', range('m', 0, 3), T0 + minute * MINUTE).ok).toBe(true);
  });

  it('keeps active series flowing after the limit is lowered below them', () => {
    const l = limiter({ ...few, maxActiveSeries: 10 });
    l.admit('acme', range('m', 0, 8), T0);
    l.setTenantLimits('acme', few);
    expect(l.admit('acme', range('m', 0, 8), T0 + MINUTE).ok).toBe(true);
    expect(l.admit('acme', range('m', 8, 9), T0 + MINUTE)).toMatchObject({ ok: false, limit: 'max_active_series' });
  });

  it('counts a series repeated in one request once', () => {
    const l = limiter(few);
    expect(l.admit('acme', [series('m', 1), series('m', 1), series('m', 2), series('m', 2), series('m', 3)], T0).ok).toBe(true);
    expect(l.activeSeries('acme', T0)).toBe(3);
  });

  it('forgets a series idle for the window (20 minutes, at minute granularity)', () => {
    const l = limiter(few);
    l.admit('acme', range('m', 0, 3), T0 + 30_000); // in minute 0
    expect(l.activeSeries('acme', T0 + 20 * MINUTE + 59_999)).toBe(3); // minute 20: last sample 20.5 min ago
    expect(l.activeSeries('acme', T0 + 21 * MINUTE)).toBe(0); // minute 21: idle for more than 20 minutes
    expect(l.admit('acme', range('m', 10, 13), T0 + 21 * MINUTE).ok).toBe(true);
  });

  it('tells how long until enough series go idle', () => {
    const l = limiter(few);
    l.admit('acme', range('m', 0, 1), T0);
    l.admit('acme', range('m', 1, 3), T0 + 5 * MINUTE);
    const result = l.admit('acme', range('m', 3, 5), T0 + 6 * MINUTE + 10_000);
    // Two must go: series 0 (seen in minute 0, idle from minute 21) and one of minute 5 (idle from minute 26).
    expect(result).toMatchObject({ ok: false, retryAfterSeconds: (26 - 6) * 60 - 10 });
  });

  it('says when a request alone brings more new series than the limit', () => {
    const result = limiter(few).admit('acme', range('m', 0, 4), T0);
    expect(result.ok === false && result.message).toMatch(/the request alone brings 4 new series, more than the limit: it can never be accepted$/);
    expect(result).toMatchObject({ retryAfterSeconds: 21 * 60 });
  });

  it('refuses a request over the rate without registering its series', () => {
    const l = limiter({ ...few, maxSamplesPerSecond: 1, burstSamples: 2 });
    expect(l.admit('acme', range('m', 0, 3), T0)).toMatchObject({ ok: false, limit: 'max_samples_per_second' });
    expect(l.activeSeries('acme', T0)).toBe(0);
  });

  it("under 'drop-series', admits a request minus the new series that do not fit", () => {
    const l = limiter(few, 'drop-series');
    l.admit('acme', range('m', 0, 2), T0);
    const request = [series('m', 0, 5), series('m', 7, 2), series('m', 8, 3), series('m', 8, 1), series('m', 1, 1)];
    expect(l.admit('acme', request, T0)).toEqual({ ok: true, droppedSeries: [2, 3], droppedSamples: 4 });
    expect(l.activeSeries('acme', T0)).toBe(3);
    expect(l.refusals('acme').droppedSeries).toBe(1);
  });

  it('reports cardinality by metric name, largest first', () => {
    const l = limiter({ ...few, maxActiveSeries: 100 });
    l.admit('acme', range('old', 0, 9), T0 - 30 * MINUTE); // idle by T0
    l.admit('acme', [...range('cpu', 0, 5), ...range('mem', 0, 3), ...range('up', 0, 3)], T0);
    expect(l.cardinality('acme', T0, 2)).toEqual({
      tenant: 'acme',
      activeSeries: 11,
      maxActiveSeries: 100,
      byMetricName: [
        { metricName: 'cpu', activeSeries: 5 },
        { metricName: 'mem', activeSeries: 3 },
      ],
    });
    expect(l.cardinality('nobody', T0)).toEqual({ tenant: 'nobody', activeSeries: 0, maxActiveSeries: 150_000, byMetricName: [] });
  });

  it('applies a new window to the series it holds', () => {
    const l = limiter(few);
    l.admit('acme', range('m', 0, 3), T0);
    l.setTenantLimits('acme', { ...few, activeWindowMinutes: 5 });
    expect(l.activeSeries('acme', T0 + 5 * MINUTE)).toBe(3);
    expect(l.activeSeries('acme', T0 + 6 * MINUTE)).toBe(0);
  });

  it('keeps its series table within 4 × (limit + 1) slots under churn', () => {
    const l = limiter({ ...few, maxActiveSeries: 5_000, activeWindowMinutes: 1 });
    for (let round = 0; round < 40; round++) {
      expect(l.admit('acme', range('churn', round * 5_000, (round + 1) * 5_000), T0 + round * 2 * MINUTE).ok).toBe(true);
    }
    expect(l.activeSeries('acme', T0 + 78 * MINUTE)).toBe(5_000);
    expect(l.seriesTableBytes('acme')).toBeLessThanOrEqual(4 * 5_001 * 16);
  });

  it('rejects a non-finite clock', () => {
    expect(() => limiter(few).admit('acme', [], NaN)).toThrow('nowMs must be a finite number of milliseconds, got NaN');
  });
});
