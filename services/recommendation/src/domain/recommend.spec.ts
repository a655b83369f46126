import {
  ceilMib,
  ceilMillicores,
  formatCpu,
  formatMemory,
  recommend,
  RecommendationError,
  requiredQuantiles,
  type ForecastInput,
  type WorkloadForecasts,
} from './recommend';

const MI = 2 ** 20;
const GI = 2 ** 30;

/** A forecast whose quantile lines are `lines[q][i]`; the mean line is the first quantile's. */
function forecast(lines: Record<string, number[]>, confidence?: ForecastInput['confidence']): ForecastInput {
  const keys = Object.keys(lines);
  const length = lines[keys[0]!]!.length;
  const points = Array.from({ length }, (_, i) => ({
    mean: lines[keys[0]!]![i]!,
    quantiles: Object.fromEntries(keys.map((k) => [k, lines[k]![i]!])),
  }));
  return confidence === undefined ? { points } : { points, confidence };
}

/** CPU total cores whose q0.9 peaks at `q90` and q0.99 at `q99` (mid-day), memory likewise in bytes. */
function forecasts(cpu: { q90: number; q99: number }, mem: { q95: number; q99: number }, confidence?: ForecastInput['confidence']): WorkloadForecasts {
  return {
    cpuTotalCores: forecast({ '0.9': [cpu.q90 / 2, cpu.q90, cpu.q90 / 3], '0.99': [cpu.q99 / 2, cpu.q99, cpu.q99 / 3] }, confidence),
    memoryMaxPerReplicaBytes: forecast({ '0.95': [mem.q95 / 2, mem.q95], '0.99': [mem.q99 / 2, mem.q99] }, confidence),
  };
}

const typical = forecasts({ q90: 2, q99: 3.2 }, { q95: 300 * MI + 1, q99: 400 * MI });

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof RecommendationError) return e.reason;
    throw e;
  }
  return undefined;
}

describe('recommend: vertical (default)', () => {
  const current = { cpuRequestMillicores: 1000, cpuLimitMillicores: 2000, memoryRequestBytes: GI, memoryLimitBytes: 2 * GI, replicas: 4 };
  const r = recommend(typical, current);

  it('sizes the CPU request at the q0.9 peak per replica', () => {
    expect(r.cpuRequestMillicores).toMatchObject({ current: 1000, recommended: 500, savings: 500 });
    expect(r.cpuRequestMillicores.reason).toMatch(/q0\.9 peak of 2 cores over 4 replica/);
  });

  it('sets the CPU limit at max(q0.99 peak per replica, request × 1.5) where a limit exists today', () => {
    expect(r.cpuLimitMillicores).toMatchObject({ current: 2000, recommended: 800, savings: 1200 }); // 3.2/4 = 800 > 750
    expect(r.cpuLimitMillicores.reason).toMatch(/q0\.99 peak per replica/);
  });

  it('sizes memory from the largest replica: request q0.95 peak, limit q0.99 peak × 1.2, in Mi', () => {
    expect(r.memoryRequestBytes).toMatchObject({ current: GI, recommended: 301 * MI, savings: GI - 301 * MI });
    expect(r.memoryLimitBytes).toMatchObject({ current: 2 * GI, recommended: 480 * MI });
    expect(r.memoryLimitBytes.reason).toMatch(/OOM/);
  });

  it('keeps replicas and says so', () => {
    expect(r.replicas).toMatchObject({ current: 4, recommended: 4, savings: 0 });
    expect(r.replicas.reason).toMatch(/vertical scaling: replicas kept/);
  });

  it('uses request × headroom when it exceeds the q0.99 peak', () => {
    const x = recommend(forecasts({ q90: 2, q99: 2.2 }, { q95: GI, q99: GI }), current);
    expect(x.cpuLimitMillicores.recommended).toBe(750);
    expect(x.cpuLimitMillicores.reason).toMatch(/request × 1\.5 headroom/);
  });
});

describe('recommend: CPU limit policy', () => {
  it.each([
    ['auto, no limit today', 'auto', undefined, undefined, /no CPU limit today and none recommended/],
    ['auto, limit today', 'auto', 4000, 3200, /q0\.99/],
    ['always, no limit today', 'always', undefined, 3200, /q0\.99/],
    ['never, limit today', 'never', 4000, undefined, /by policy/],
  ] as const)('%s', (_name, cpuLimit, currentLimit, expected, reason) => {
    const r = recommend(typical, { replicas: 1, ...(currentLimit === undefined ? {} : { cpuLimitMillicores: currentLimit }) }, { cpuLimit });
    expect(r.cpuLimitMillicores.recommended).toBe(expected);
    expect(r.cpuLimitMillicores.current).toBe(currentLimit);
    expect(r.cpuLimitMillicores.reason).toMatch(reason);
  });
});

describe('recommend: floors and rounding', () => {
  it('applies the CPU and memory floors', () => {
    const r = recommend(forecasts({ q90: 0.001, q99: 0.002 }, { q95: 1000, q99: 2000 }), { replicas: 2 });
    expect(r.cpuRequestMillicores).toEqual({ recommended: 10, reason: expect.stringMatching(/floor of 10m/) });
    expect(r.memoryRequestBytes.recommended).toBe(16 * MI);
    expect(r.memoryRequestBytes.reason).toMatch(/floor of 16Mi/);
    expect(r.memoryLimitBytes.recommended).toBe(16 * MI); // never below the request
  });

  it.each([
    [0.3, 300],
    [0.1 + 0.2, 300], // 0.30000000000000004 must not become 301m
    [0.3001, 301],
    [2, 2000],
    [0, 0],
  ])('ceilMillicores(%p) = %p', (cores, m) => expect(ceilMillicores(cores)).toBe(m));

  it.each([
    [0, 0],
    [1, MI],
    [MI, MI],
    [MI + 1, 2 * MI],
  ])('ceilMib(%p) = %p', (bytes, out) => expect(ceilMib(bytes)).toBe(out));

  it.each([
    [250, '250m'],
    [2000, '2'],
    [1500, '1500m'],
  ])('formatCpu(%p) = %p', (m, s) => expect(formatCpu(m)).toBe(s));

  it.each([
    [512 * MI, '512Mi'],
    [2 * GI, '2Gi'],
    [1000, '1000'],
    [0, '0'],
  ])('formatMemory(%p) = %p', (b, s) => expect(formatMemory(b)).toBe(s));
});

describe('recommend: missing current values', () => {
  it('recommends without current or savings when nothing is known', () => {
    const r = recommend(typical);
    expect(r.cpuRequestMillicores).toEqual({ recommended: 2000, reason: expect.stringMatching(/treated as 1/) });
    expect(r.memoryRequestBytes.current).toBeUndefined();
    expect(r.memoryRequestBytes.savings).toBeUndefined();
    expect(r.replicas).toEqual({ reason: expect.stringMatching(/replica count unknown/) });
  });

  it('treats 0 replicas (scaled to zero) as 1 for the per-replica share', () => {
    const r = recommend(typical, { replicas: 0 });
    expect(r.cpuRequestMillicores.recommended).toBe(2000);
    expect(r.replicas).toMatchObject({ current: 0, recommended: 0 });
  });
});

describe('recommend: low-confidence forecasts', () => {
  const low = forecasts({ q90: 2, q99: 3.2 }, { q95: 300 * MI, q99: 400 * MI }, 'low');

  it('never shrinks below current', () => {
    const r = recommend(low, { cpuRequestMillicores: 1000, memoryRequestBytes: GI, memoryLimitBytes: 2 * GI, replicas: 4 });
    expect(r.cpuRequestMillicores).toMatchObject({ current: 1000, recommended: 1000, savings: 0 });
    expect(r.cpuRequestMillicores.reason).toMatch(/low confidence \(it would say 500/);
    expect(r.memoryRequestBytes.recommended).toBe(GI);
    expect(r.memoryLimitBytes.recommended).toBe(2 * GI);
  });

  it('still grows', () => {
    const r = recommend(low, { cpuRequestMillicores: 100, replicas: 4 });
    expect(r.cpuRequestMillicores).toMatchObject({ current: 100, recommended: 500, savings: -400 });
  });
});

describe('recommend: horizontal', () => {
  it('keeps the request and sizes replicas so the q0.9 peak runs at the target utilisation', () => {
    // 2.8 cores at 70% of 1000m per replica → 4 replicas
    const r = recommend(forecasts({ q90: 2.8, q99: 4 }, { q95: GI, q99: GI }), { cpuRequestMillicores: 1000, cpuLimitMillicores: 2000, replicas: 10 }, { scaling: 'horizontal' });
    expect(r.cpuRequestMillicores).toMatchObject({ current: 1000, recommended: 1000, savings: 0 });
    expect(r.replicas).toMatchObject({ current: 10, recommended: 4, savings: 6 });
    expect(r.replicas.reason).toMatch(/at 70% of 1 per replica/);
    expect(r.cpuLimitMillicores.recommended).toBe(1500); // max(4/4 cores, 1000 × 1.5)
  });

  it.each([
    ['bounded above', { maxReplicas: 3 }, 3],
    ['bounded below', { minReplicas: 6 }, 6],
  ])('is %s by the policy', (_name, bounds, expected) => {
    const r = recommend(forecasts({ q90: 2.8, q99: 4 }, { q95: GI, q99: GI }), { cpuRequestMillicores: 1000, replicas: 5 }, { scaling: 'horizontal', ...bounds });
    expect(r.replicas.recommended).toBe(expected);
    expect(r.replicas.reason).toMatch(/4 needed, bounded/);
  });

  it('falls back to sizing the request when there is no request to use as the pod size', () => {
    const r = recommend(typical, { replicas: 4 }, { scaling: 'horizontal' });
    expect(r.cpuRequestMillicores.recommended).toBe(500);
    expect(r.cpuRequestMillicores.reason).toMatch(/horizontal scaling needs today's CPU request/);
    expect(r.replicas).toMatchObject({ current: 4, recommended: 4 });
  });
});

describe('recommend: bad input', () => {
  const ok = typical;
  const withCpu = (cpu: ForecastInput): WorkloadForecasts => ({ ...ok, cpuTotalCores: cpu });
  const withMem = (mem: ForecastInput): WorkloadForecasts => ({ ...ok, memoryMaxPerReplicaBytes: mem });

  it.each<[string, () => unknown, string]>([
    ['empty CPU forecast', () => recommend(withCpu({ points: [] })), 'empty_forecast'],
    ['empty memory forecast', () => recommend(withMem({ points: [] })), 'empty_forecast'],
    ['CPU forecast without q0.99', () => recommend(withCpu(forecast({ '0.9': [1] }))), 'missing_quantile'],
    ['memory forecast without q0.95', () => recommend(withMem(forecast({ '0.9': [1], '0.99': [1] }))), 'missing_quantile'],
    ['NaN in a forecast', () => recommend(withCpu(forecast({ '0.9': [1, Number.NaN], '0.99': [1, 1] }))), 'invalid_forecast'],
    ['Infinity in a forecast', () => recommend(withMem(forecast({ '0.95': [Infinity], '0.99': [1] }))), 'invalid_forecast'],
    ['a negative forecast', () => recommend(withCpu(forecast({ '0.9': [-1], '0.99': [1] }))), 'invalid_forecast'],
    ['negative current request', () => recommend(ok, { cpuRequestMillicores: -1 }), 'invalid_current'],
    ['NaN current replicas', () => recommend(ok, { replicas: Number.NaN }), 'invalid_current'],
    ['fractional current memory', () => recommend(ok, { memoryRequestBytes: 1.5 }), 'invalid_current'],
    ['quantile 1', () => recommend(ok, {}, { cpuRequestQuantile: 1 }), 'invalid_policy'],
    ['utilisation 0', () => recommend(ok, {}, { targetCpuUtilisation: 0 }), 'invalid_policy'],
    ['headroom below 1', () => recommend(ok, {}, { cpuLimitHeadroom: 0.5 }), 'invalid_policy'],
    ['min above max replicas', () => recommend(ok, {}, { minReplicas: 5, maxReplicas: 2 }), 'invalid_policy'],
    ['unknown scaling', () => recommend(ok, {}, { scaling: 'diagonal' as 'vertical' }), 'invalid_policy'],
  ])('%s → %s', (_name, fn, reason) => {
    expect(reasonOf(fn)).toBe(reason);
  });

  it('accepts a target utilisation of exactly 1', () => {
    expect(() => recommend(ok, {}, { targetCpuUtilisation: 1 })).not.toThrow();
  });
});

describe('requiredQuantiles', () => {
  it('lists what to ask the prediction service for', () => {
    expect(requiredQuantiles()).toEqual({ cpu: [0.9, 0.99], memory: [0.95, 0.99] });
    expect(requiredQuantiles({ cpuRequestQuantile: 0.8 }).cpu).toEqual([0.8, 0.99]);
  });
});

describe('recommend without a memory forecast', () => {
  it('sizes CPU and says memory has no forecast yet, keeping the current values', () => {
    const cpu = { points: [{ mean: 1, quantiles: { '0.9': 1.2, '0.99': 1.5 } }], confidence: 'high' as const };
    const r = recommend({ cpuTotalCores: cpu }, { memoryRequestBytes: 512 * 2 ** 20, replicas: 2 });
    expect(r.cpuRequestMillicores.recommended).toBe(600);
    expect(r.memoryRequestBytes).toEqual({ current: 512 * 2 ** 20, reason: 'no memory forecast for this workload yet: nothing recommended' });
    expect(r.memoryLimitBytes.recommended).toBeUndefined();
  });
});
