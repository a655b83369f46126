// How many consumers a Kafka consumer group should run, decided ahead of load from the predicted
// production rate. Pure: the adapter supplies measurements, the forecast, the clock and the cooldown
// state, and acts on (and records) the decision.

/** A forecast of the topic's production rate in messages/s; prediction's `Forecast` fits this shape. */
export interface RateForecast {
  stepSeconds: number;
  points: ReadonlyArray<{ timestampMs: number; mean: number; quantiles: Readonly<Record<string, number>> }>;
}

export interface ConsumerGroupState {
  /** Undefined or empty when there is none; the decision is then a safe hold. */
  predictedProduction: RateForecast | undefined;
  /** Measured messages/s one consumer drains when it is busy. */
  perConsumerRate: number;
  /** Total lag of the group over its partitions, in messages. */
  lag: number;
  /** Partitions of the consumed topic(s); undefined when not known: then only maxReplicas caps. */
  partitions: number | undefined;
  currentReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  /** The lag there is now should be gone within this many seconds. */
  targetDrainSeconds: number;
  /** How far ahead to look: roughly pod start-up plus a consumer-group rebalance. */
  leadTimeSeconds: number;
  nowMs: number;
  /** When the group was last scaled, either way (absent: never), and how long a scale-down must wait. */
  cooldown: { lastScaleAtMs?: number; scaleDownCooldownSeconds: number };
  /** Quantile of the production forecast to size for; default 0.9. */
  quantile?: number;
}

export interface ScalingDecision {
  replicas: number;
  action: 'scale-up' | 'scale-down' | 'hold';
  reason: string;
  /** Predicted queue latency (lag ÷ consumption rate) at the end of the lead-time window if `replicas`
   * consumed throughout at the measured rate and production ran at the sized-for quantile. null when
   * it cannot be known (nothing consumes, or no usable forecast). */
  predictedLagSeconds: number | null;
  /** Queue latency now: lag ÷ (current replicas × per-consumer rate); null when nothing consumes. */
  currentLagSeconds: number | null;
  /** Peak of the sized-for production quantile over the window, msgs/s; null without a usable forecast. */
  predictedProductionRate: number | null;
  /** What the formula asks for before bounds, hysteresis and cooldown; null when it cannot be computed. */
  neededReplicas: number | null;
}

export const DECISION_ERROR_REASONS = ['invalid_input', 'invalid_forecast', 'missing_quantile'] as const;
export type DecisionErrorReason = (typeof DECISION_ERROR_REASONS)[number];

export class DecisionError extends Error {
  override readonly name = 'DecisionError';

  constructor(
    readonly reason: DecisionErrorReason,
    message: string,
  ) {
    super(message);
  }
}

interface WindowStep {
  rate: number;
  seconds: number;
}

/**
 * replicas = ceil((peak q production over the lead-time window + lag ÷ drain time) ÷ per-consumer rate),
 * bounded to [min, min(max, partitions)] (a consumer beyond the partition count sits idle; an explicit
 * minimum above the partition count still wins; an unknown partition count leaves only max). Scale-up is immediate. Scale-down needs both the
 * cooldown since the last scaling to have passed and hysteresis: the need must be below the current
 * count by more than 1 at every step of the window (the need is the window's maximum). The one
 * exception to the hysteresis is an idle group (no lag, no production predicted), which may go to its
 * minimum, zero included. Bounds are enforced at once, cooldown or not.
 * Safe decisions instead of errors for operational gaps: no usable forecast, or a per-consumer rate of 0
 * (not measured yet, or consumers stuck) → hold, never shrink; start one consumer if there is work and none.
 */
export function decideReplicas(s: ConsumerGroupState): ScalingDecision {
  validate(s);
  const q = s.quantile ?? 0.9;
  const lower = s.minReplicas;
  const cap = s.partitions === undefined ? s.maxReplicas : Math.min(s.maxReplicas, s.partitions);
  const upper = Math.max(lower, cap);
  const capNote = cap < lower ? ` (minReplicas ${lower} exceeds the ${s.partitions} partitions: the extra consumers idle)` : '';
  const current = s.currentReplicas;
  const bounded = clamp(current, lower, upper);
  const currentLagSeconds = latency(s.lag, current * s.perConsumerRate);

  const window = productionWindow(s, q);
  const peak = window.length === 0 ? null : Math.max(...window.map((w) => w.rate));
  const hasWork = s.lag > 0 || (peak ?? 0) > 0;

  const decision = (replicas: number, reason: string, needed: number | null): ScalingDecision => ({
    replicas,
    action: replicas > current ? 'scale-up' : replicas < current ? 'scale-down' : 'hold',
    reason: reason + capNote,
    predictedLagSeconds: peak === null ? null : projectedLatency(s.lag, window, replicas * s.perConsumerRate),
    currentLagSeconds,
    predictedProductionRate: peak,
    neededReplicas: needed,
  });
  const safeHold = (why: string): ScalingDecision => {
    const replicas = hasWork && bounded === 0 && upper >= 1 ? 1 : bounded;
    const what = replicas === 1 && bounded === 0 ? 'starting one consumer for the work waiting' : `holding ${replicas}`;
    return decision(replicas, `${why}: ${what}, never shrinking on no information`, null);
  };

  if (peak === null) return safeHold(`no production forecast covers the next ${s.leadTimeSeconds} s`);
  if (s.perConsumerRate === 0 && hasWork) return safeHold('measured per-consumer rate is 0 (not measured yet, or consumers stuck), so the need cannot be sized');

  const drainRate = s.lag / s.targetDrainSeconds;
  const needed = s.perConsumerRate === 0 ? 0 : Math.ceil(round9((peak + drainRate) / s.perConsumerRate));
  const desired = clamp(needed, lower, upper);
  const why =
    `q${q} production peak ${fmt(peak)} msg/s over the next ${s.leadTimeSeconds} s + lag ${fmt(s.lag)} ÷ ${s.targetDrainSeconds} s ` +
    `= ${fmt(peak + drainRate)} msg/s at ${fmt(s.perConsumerRate)} msg/s per consumer → ${needed} needed` +
    (needed > cap && cap >= lower ? `, capped at ${cap} (${cap === s.partitions ? `${s.partitions} partitions: more consumers would idle; add partitions to drain faster` : `maxReplicas`})` : '') +
    (needed < lower ? `, raised to minReplicas ${lower}` : '');

  if (desired > current) return decision(desired, `scale up: ${why}`, needed);
  if (desired === current) return decision(current, `hold: ${why}`, needed);

  // desired < current: only bounds act at once; a forecast-driven shrink waits for cooldown and hysteresis.
  const idle = needed === 0;
  const clearlyBelow = current - needed > 1;
  const last = s.cooldown.lastScaleAtMs;
  const waitMs = last === undefined ? 0 : last + s.cooldown.scaleDownCooldownSeconds * 1000 - s.nowMs;
  if ((clearlyBelow || idle) && waitMs <= 0) return decision(desired, `scale down: ${why}`, needed);
  const blocker = !(clearlyBelow || idle)
    ? `within the hysteresis band (${needed} needed vs ${current} running)`
    : `cooldown: ${Math.ceil(waitMs / 1000)} s left since the last scaling`;
  if (bounded < current) return decision(bounded, `scale down to the upper bound ${upper}; further shrink held (${blocker}): ${why}`, needed);
  return decision(current, `hold (${blocker}): ${why}`, needed);
}

/** The forecast's steps that overlap [now, now + lead), each with its sized-for rate and overlap. */
function productionWindow(s: ConsumerGroupState, q: number): WindowStep[] {
  const f = s.predictedProduction;
  if (f === undefined || f.points.length === 0) return [];
  if (!(Number.isFinite(f.stepSeconds) && f.stepSeconds > 0)) {
    throw new DecisionError('invalid_forecast', `forecast stepSeconds is ${String(f.stepSeconds)}, not a positive number`);
  }
  const key = String(q);
  const from = s.nowMs;
  const to = s.nowMs + s.leadTimeSeconds * 1000;
  const out: WindowStep[] = [];
  f.points.forEach((p, i) => {
    if (!Number.isFinite(p?.timestampMs)) throw new DecisionError('invalid_forecast', `forecast point ${i} has timestamp ${String(p?.timestampMs)}`);
    const start = Math.max(from, p.timestampMs);
    const end = Math.min(to, p.timestampMs + f.stepSeconds * 1000);
    if (end <= start) return;
    const rate = p.quantiles?.[key];
    if (rate === undefined) throw new DecisionError('missing_quantile', `forecast point ${i} has no q${key}`);
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0) {
      throw new DecisionError('invalid_forecast', `forecast point ${i} q${key} is ${String(rate)}, not a finite rate ≥ 0`);
    }
    out.push({ rate, seconds: (end - start) / 1000 });
  });
  return out;
}

function projectedLatency(lag: number, window: readonly WindowStep[], consumption: number): number | null {
  let backlog = lag;
  for (const w of window) backlog = Math.max(0, backlog + (w.rate - consumption) * w.seconds);
  return latency(backlog, consumption);
}

function latency(backlog: number, consumption: number): number | null {
  if (backlog === 0) return 0;
  return consumption > 0 ? backlog / consumption : null;
}

function validate(s: ConsumerGroupState): void {
  const bad = (field: string, value: unknown, want: string) =>
    new DecisionError('invalid_input', `${field} is ${String(value)}; expected ${want}`);
  const finiteAtLeast = (field: string, v: number, min: number, strict = false) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (strict ? v <= min : v < min)) throw bad(field, v, `a finite number ${strict ? '>' : '≥'} ${min}`);
  };
  const count = (field: string, v: number, min: number) => {
    if (!Number.isSafeInteger(v) || v < min) throw bad(field, v, `a whole number ≥ ${min}`);
  };
  finiteAtLeast('perConsumerRate', s.perConsumerRate, 0);
  finiteAtLeast('lag', s.lag, 0);
  if (s.partitions !== undefined) count('partitions', s.partitions, 1);
  count('currentReplicas', s.currentReplicas, 0);
  count('minReplicas', s.minReplicas, 0);
  count('maxReplicas', s.maxReplicas, 0);
  if (s.minReplicas > s.maxReplicas) throw bad('minReplicas', s.minReplicas, `≤ maxReplicas (${s.maxReplicas})`);
  finiteAtLeast('targetDrainSeconds', s.targetDrainSeconds, 0, true);
  finiteAtLeast('leadTimeSeconds', s.leadTimeSeconds, 0, true);
  if (typeof s.nowMs !== 'number' || !Number.isFinite(s.nowMs)) throw bad('nowMs', s.nowMs, 'a finite timestamp');
  finiteAtLeast('cooldown.scaleDownCooldownSeconds', s.cooldown?.scaleDownCooldownSeconds, 0);
  const last = s.cooldown.lastScaleAtMs;
  if (last !== undefined && (typeof last !== 'number' || !Number.isFinite(last))) throw bad('cooldown.lastScaleAtMs', last, 'a finite timestamp or absent');
  const q = s.quantile ?? 0.9;
  if (typeof q !== 'number' || !(q > 0 && q < 1)) throw bad('quantile', q, 'a number strictly between 0 and 1');
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** Drops float noise before a ceil: (0.1 + 0.2) / 0.3 must need 1 replica, not 2. */
function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

function fmt(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}
