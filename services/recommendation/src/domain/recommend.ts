// Requests, limits and replicas from forecasts. Pure: the adapter fetches forecasts and current specs.
//
// Everything here reads a 24 h forecast (5-minute points) and takes, for each quantity, the PEAK over
// the horizon of one quantile line: "q0.9" means max over the next 24 h of the forecast's 0.9 quantile.
// So a request covers the busiest moment of the day with the stated confidence, not the average one.

/** A forecast as the recommendation needs it; the prediction service's `Forecast` fits this shape. */
export interface ForecastInput {
  points: ReadonlyArray<{ mean: number; quantiles: Readonly<Record<string, number>> }>;
  confidence?: 'low' | 'medium' | 'high';
}

export interface WorkloadForecasts {
  /** CPU in cores, summed over all the workload's replicas. */
  cpuTotalCores: ForecastInput;
  /** Memory working set in bytes of the largest replica (max over pods): memory does not spread
   * across replicas the way CPU does, and the largest pod is the one that gets OOM-killed.
   * Absent until memory is collected for the workload: memory advice then says so and changes nothing. */
  memoryMaxPerReplicaBytes?: ForecastInput;
}

/** What the workload runs with today; any field may be missing (not set, or not known). A missing
 * limit is taken to mean "no limit", which is what Kubernetes does with it. */
export interface CurrentResources {
  cpuRequestMillicores?: number;
  cpuLimitMillicores?: number;
  memoryRequestBytes?: number;
  memoryLimitBytes?: number;
  replicas?: number;
}

export interface RecommendationPolicy {
  /**
   * Which lever moves. `vertical`: the CPU request is sized per replica at today's replica count and
   * replicas stay. `horizontal`: today's CPU request stays and replicas are sized so the q0.9 peak
   * runs at `targetCpuUtilisation` of the summed requests. Never both: a per-replica request derived
   * from the replica count and a replica count derived from the request chase each other.
   */
  scaling: 'vertical' | 'horizontal';
  cpuRequestQuantile: number;
  cpuLimitQuantile: number;
  memoryRequestQuantile: number;
  memoryLimitQuantile: number;
  cpuFloorMillicores: number;
  memoryFloorBytes: number;
  /** CPU limit = max(peak cpuLimitQuantile, request × this). */
  cpuLimitHeadroom: number;
  /** Memory limit = peak memoryLimitQuantile × this. */
  memoryLimitFactor: number;
  /** `auto`: recommend a CPU limit only where one is set today; `always`; `never`. */
  cpuLimit: 'auto' | 'always' | 'never';
  targetCpuUtilisation: number;
  minReplicas: number;
  maxReplicas: number;
}

export const DEFAULT_POLICY: Readonly<RecommendationPolicy> = {
  scaling: 'vertical',
  cpuRequestQuantile: 0.9,
  cpuLimitQuantile: 0.99,
  memoryRequestQuantile: 0.95,
  memoryLimitQuantile: 0.99,
  cpuFloorMillicores: 10,
  memoryFloorBytes: 16 * 2 ** 20,
  cpuLimitHeadroom: 1.5,
  memoryLimitFactor: 1.2,
  cpuLimit: 'auto',
  targetCpuUtilisation: 0.7,
  minReplicas: 1,
  maxReplicas: 1000,
};

/** The quantiles a caller must ask the prediction service for, per forecast. */
export function requiredQuantiles(policy: Partial<RecommendationPolicy> = {}): { cpu: number[]; memory: number[] } {
  const p = { ...DEFAULT_POLICY, ...policy };
  return { cpu: [p.cpuRequestQuantile, p.cpuLimitQuantile], memory: [p.memoryRequestQuantile, p.memoryLimitQuantile] };
}

export interface ResourceAdvice {
  /** CPU in millicores, memory in bytes, replicas in pods; absent when not set or not known. */
  current?: number;
  /** Absent when the advice is "none" (no CPU limit) or nothing can be said; `reason` says which. */
  recommended?: number;
  /** current − recommended, per replica for resources (positive frees capacity, negative asks for
   * more); absent unless both are known. Money is the cost service's business. */
  savings?: number;
  reason: string;
}

export interface Recommendation {
  cpuRequestMillicores: ResourceAdvice;
  cpuLimitMillicores: ResourceAdvice;
  memoryRequestBytes: ResourceAdvice;
  memoryLimitBytes: ResourceAdvice;
  replicas: ResourceAdvice;
}

export const RECOMMENDATION_ERROR_REASONS = [
  'empty_forecast',
  'missing_quantile',
  'invalid_forecast',
  'invalid_current',
  'invalid_policy',
] as const;

export type RecommendationErrorReason = (typeof RECOMMENDATION_ERROR_REASONS)[number];

export class RecommendationError extends Error {
  override readonly name = 'RecommendationError';

  constructor(
    readonly reason: RecommendationErrorReason,
    message: string,
  ) {
    super(message);
  }
}

const MIB = 2 ** 20;
const GIB = 2 ** 30;

export function recommend(
  forecasts: WorkloadForecasts,
  current: CurrentResources = {},
  policyOverrides: Partial<RecommendationPolicy> = {},
): Recommendation {
  const p = { ...DEFAULT_POLICY, ...policyOverrides };
  validatePolicy(p);
  validateCurrent(current);

  const cpu = forecasts.cpuTotalCores;
  const mem = forecasts.memoryMaxPerReplicaBytes;
  const cpuReqPeak = peakOf(cpu, p.cpuRequestQuantile, 'CPU');
  const cpuLimPeak = peakOf(cpu, p.cpuLimitQuantile, 'CPU');
  const cpuLow = cpu.confidence === 'low';

  // Replicas that share today's load; 0 (scaled to zero) or unknown counts as 1.
  const knownReplicas = current.replicas !== undefined && current.replicas > 0 ? current.replicas : undefined;
  const shareReplicas = knownReplicas ?? 1;
  const shareNote = knownReplicas === undefined ? ' (replica count unknown or 0: treated as 1)' : '';

  let cpuRequest: ResourceAdvice;
  let replicas: ResourceAdvice;
  let limitReplicas = shareReplicas;
  if (p.scaling === 'horizontal' && current.cpuRequestMillicores !== undefined && current.cpuRequestMillicores > 0) {
    const podMillicores = current.cpuRequestMillicores;
    cpuRequest = advice(podMillicores, podMillicores, `horizontal scaling: request kept at ${formatCpu(podMillicores)}, replicas move instead`);
    const needed = Math.ceil(roundTo(cpuReqPeak * 1000 / (podMillicores * p.targetCpuUtilisation), 6));
    const n = clamp(needed, p.minReplicas, p.maxReplicas);
    const bound = n !== needed ? ` (${needed} needed, bounded to [${p.minReplicas}, ${p.maxReplicas}])` : '';
    replicas = noShrinkOnLowConfidence(
      advice(
        current.replicas,
        n,
        `the 24 h q${p.cpuRequestQuantile} peak of ${formatCores(cpuReqPeak)} at ${percent(p.targetCpuUtilisation)} of ${formatCpu(podMillicores)} per replica${bound}`,
      ),
      cpuLow,
    );
    limitReplicas = Math.max(1, replicas.recommended!);
  } else {
    const perReplica = cpuReqPeak / shareReplicas;
    const m = Math.max(p.cpuFloorMillicores, ceilMillicores(perReplica));
    const fallback =
      p.scaling === 'horizontal' ? "; horizontal scaling needs today's CPU request as the pod size and there is none, so the request is sized instead" : '';
    const why =
      ceilMillicores(perReplica) < m
        ? `floor of ${formatCpu(p.cpuFloorMillicores)}: the 24 h q${p.cpuRequestQuantile} peak is ${formatCores(perReplica)} per replica`
        : `24 h q${p.cpuRequestQuantile} peak of ${formatCores(cpuReqPeak)} over ${shareReplicas} replica(s)${shareNote}`;
    cpuRequest = noShrinkOnLowConfidence(advice(current.cpuRequestMillicores, m, why + fallback), cpuLow);
    replicas = {
      ...(current.replicas === undefined ? {} : { current: current.replicas, recommended: current.replicas, savings: 0 }),
      reason:
        current.replicas === undefined
          ? 'replica count unknown: nothing to keep or change (the request assumes 1 replica)'
          : `${p.scaling === 'vertical' ? 'vertical' : 'horizontal (fell back to vertical)'} scaling: replicas kept, the CPU request is sized per replica`,
    };
  }

  const cpuLimit = recommendCpuLimit(p, current, cpuRequest.recommended!, cpuLimPeak / limitReplicas, cpuLow);
  const { memoryRequest, memoryLimit } = mem
    ? recommendMemory(p, current, mem)
    : { memoryRequest: unknownMemory(current.memoryRequestBytes), memoryLimit: unknownMemory(current.memoryLimitBytes) };

  return {
    cpuRequestMillicores: cpuRequest,
    cpuLimitMillicores: cpuLimit,
    memoryRequestBytes: memoryRequest,
    memoryLimitBytes: memoryLimit,
    replicas,
  };
}

function unknownMemory(current: number | undefined): ResourceAdvice {
  return { ...(current === undefined ? {} : { current }), reason: 'no memory forecast for this workload yet: nothing recommended' };
}

function recommendMemory(p: RecommendationPolicy, current: CurrentResources, mem: ForecastInput): { memoryRequest: ResourceAdvice; memoryLimit: ResourceAdvice } {
  const memReqPeak = peakOf(mem, p.memoryRequestQuantile, 'memory');
  const memLimPeak = peakOf(mem, p.memoryLimitQuantile, 'memory');
  const memLow = mem.confidence === 'low';
  const memRequestBytes = Math.max(ceilMib(p.memoryFloorBytes), ceilMib(memReqPeak));
  const memoryRequest = noShrinkOnLowConfidence(
    advice(
      current.memoryRequestBytes,
      memRequestBytes,
      memRequestBytes > ceilMib(memReqPeak)
        ? `floor of ${formatMemory(ceilMib(p.memoryFloorBytes))}: the 24 h q${p.memoryRequestQuantile} peak of the largest replica is ${formatMemory(memReqPeak)}`
        : `24 h q${p.memoryRequestQuantile} peak of the largest replica's working set, rounded up to Mi`,
    ),
    memLow,
  );
  const memLimitBytes = Math.max(memoryRequest.recommended!, ceilMib(memLimPeak * p.memoryLimitFactor));
  const memoryLimit = noShrinkOnLowConfidence(
    advice(
      current.memoryLimitBytes,
      memLimitBytes,
      `24 h q${p.memoryLimitQuantile} peak of the largest replica × ${p.memoryLimitFactor}: memory is not compressible, a pod over its limit is OOM-killed`,
    ),
    memLow,
  );
  return { memoryRequest, memoryLimit };
}

function recommendCpuLimit(
  p: RecommendationPolicy,
  current: CurrentResources,
  requestMillicores: number,
  perReplicaLimitPeak: number,
  low: boolean,
): ResourceAdvice {
  const cur = current.cpuLimitMillicores;
  const none = (why: string): ResourceAdvice => ({ ...(cur === undefined ? {} : { current: cur }), reason: why });
  if (p.cpuLimit === 'never') {
    return none('no CPU limit by policy: CPU is compressible, a limit only adds CFS throttling; the request guarantees the share');
  }
  if (p.cpuLimit === 'auto' && cur === undefined) {
    return none(
      'no CPU limit today and none recommended: CPU is compressible, so without one the pod borrows idle CPU instead of being throttled, and its request already guarantees its share (set policy cpuLimit "always" where a quota requires limits)',
    );
  }
  const fromQuantile = ceilMillicores(perReplicaLimitPeak);
  const fromHeadroom = Math.ceil(roundTo(requestMillicores * p.cpuLimitHeadroom, 6));
  const m = Math.max(fromQuantile, fromHeadroom, requestMillicores);
  const why =
    fromQuantile >= fromHeadroom
      ? `24 h q${p.cpuLimitQuantile} peak per replica (${formatCpu(fromQuantile)}), above request × ${p.cpuLimitHeadroom}`
      : `request × ${p.cpuLimitHeadroom} headroom (${formatCpu(fromHeadroom)}), above the 24 h q${p.cpuLimitQuantile} peak per replica`;
  return noShrinkOnLowConfidence(advice(cur, m, why), low);
}

function advice(current: number | undefined, recommended: number, reason: string): ResourceAdvice {
  return current === undefined ? { recommended, reason } : { current, recommended, savings: current - recommended, reason };
}

/** On a low-confidence forecast a recommendation may grow a value but never shrink it. */
function noShrinkOnLowConfidence(a: ResourceAdvice, low: boolean): ResourceAdvice {
  if (!low || a.current === undefined || a.recommended === undefined || a.recommended >= a.current) return a;
  return { current: a.current, recommended: a.current, savings: 0, reason: `kept at current: the forecast has low confidence (it would say ${a.recommended}: ${a.reason})` };
}

/** Max over the forecast's points of quantile `q`; validates every value it reads. */
function peakOf(forecast: ForecastInput, q: number, what: string): number {
  const points = forecast?.points;
  if (!Array.isArray(points) || points.length === 0) {
    throw new RecommendationError('empty_forecast', `the ${what} forecast has no points`);
  }
  const key = String(q);
  let peak = 0;
  for (let i = 0; i < points.length; i += 1) {
    const v = points[i]?.quantiles?.[key];
    if (v === undefined) {
      throw new RecommendationError('missing_quantile', `the ${what} forecast has no q${key} at point ${i}; ask for ${key} (see requiredQuantiles)`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new RecommendationError('invalid_forecast', `the ${what} forecast's q${key} at point ${i} is ${String(v)}, not a finite number ≥ 0`);
    }
    if (v > peak) peak = v;
  }
  return peak;
}

function validateCurrent(c: CurrentResources): void {
  for (const [key, v] of Object.entries(c) as [keyof CurrentResources, unknown][]) {
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new RecommendationError('invalid_current', `current ${key} is ${String(v)}, not a whole number ≥ 0`);
    }
  }
}

function validatePolicy(p: RecommendationPolicy): void {
  const bad = (key: string, v: unknown, want: string) =>
    new RecommendationError('invalid_policy', `policy ${key} is ${String(v)}; expected ${want}`);
  for (const key of ['cpuRequestQuantile', 'cpuLimitQuantile', 'memoryRequestQuantile', 'memoryLimitQuantile', 'targetCpuUtilisation'] as const) {
    const v = p[key];
    if (!(v > 0 && v < 1) && !(key === 'targetCpuUtilisation' && v === 1)) throw bad(key, v, key === 'targetCpuUtilisation' ? 'in (0, 1]' : 'in (0, 1)');
  }
  for (const key of ['cpuLimitHeadroom', 'memoryLimitFactor'] as const) if (!(p[key] >= 1 && Number.isFinite(p[key]))) throw bad(key, p[key], 'a finite number ≥ 1');
  for (const key of ['cpuFloorMillicores', 'memoryFloorBytes', 'minReplicas', 'maxReplicas'] as const) {
    if (!Number.isInteger(p[key]) || p[key] < 0) throw bad(key, p[key], 'a whole number ≥ 0');
  }
  if (p.minReplicas > p.maxReplicas) throw bad('minReplicas', p.minReplicas, `≤ maxReplicas (${p.maxReplicas})`);
  if (p.scaling !== 'vertical' && p.scaling !== 'horizontal') throw bad('scaling', p.scaling, '"vertical" or "horizontal"');
  if (!['auto', 'always', 'never'].includes(p.cpuLimit)) throw bad('cpuLimit', p.cpuLimit, '"auto", "always" or "never"');
}

/** Cores → whole millicores, rounding up (Kubernetes refuses finer than 1m); float noise below 1 µcore is ignored. */
export function ceilMillicores(cores: number): number {
  return Math.ceil(roundTo(cores * 1000, 3));
}

/** Bytes → a whole number of MiB, in bytes, rounding up. */
export function ceilMib(bytes: number): number {
  return Math.ceil(Math.round(bytes) / MIB) * MIB;
}

/** Kubernetes quantity for CPU: '2' for whole cores, '250m' otherwise. */
export function formatCpu(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** Kubernetes quantity for memory: Gi or Mi when exact, plain bytes otherwise. */
export function formatMemory(bytes: number): string {
  if (bytes > 0 && bytes % GIB === 0) return `${bytes / GIB}Gi`;
  if (bytes > 0 && bytes % MIB === 0) return `${bytes / MIB}Mi`;
  return String(Math.round(bytes));
}

function formatCores(cores: number): string {
  return `${roundTo(cores, 3)} cores`;
}

function percent(x: number): string {
  return `${roundTo(x * 100, 1)}%`;
}

function roundTo(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
