// What the actuator knows about a consumer group from its samples (lag, consumption rate, replicas,
// partitions), merged newest-wins, and the decision inputs derived from it. Pure.
import { METRICS } from '@prescient/contracts';

/** The metrics a consumer group's samples may carry. Replicas and partitions are not in the shared
 * METRICS yet (no collector emits them): they are read when present. */
export const GROUP_METRICS = {
  lag: METRICS.kafkaLag,
  consumptionRate: METRICS.kafkaConsumptionRate,
  replicas: 'kafka_consumer_replicas',
  partitions: 'kafka_consumer_partitions',
} as const;

export type ObservedField = keyof typeof GROUP_METRICS;

/** A value and the time of the sample it came from. */
export interface Observed {
  value: number;
  atMs: number;
}

export interface GroupObservation {
  /** Total lag of the group, messages. */
  lag?: Observed;
  /** Messages/s the whole group consumed. */
  consumptionRate?: Observed;
  replicas?: Observed;
  partitions?: Observed;
  /** Messages/s one consumer drained, measured while messages were waiting (so it is capacity, not demand). */
  perConsumerRate?: Observed;
}

export interface SeriesLike {
  metric: string;
  samples: ReadonlyArray<{ timestampMs: number; value: number }>;
}

export interface LatestValues {
  values: Partial<Record<ObservedField, Observed>>;
  /** Samples of a known metric that were unusable (NaN, negative, fractional count, bad timestamp). */
  invalid: number;
}

const FIELD_OF_METRIC = new Map<string, ObservedField>(Object.entries(GROUP_METRICS).map(([f, m]) => [m, f as ObservedField]));

function validValue(field: ObservedField, v: number): boolean {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return false;
  if (field === 'replicas') return Number.isSafeInteger(v);
  if (field === 'partitions') return Number.isSafeInteger(v) && v >= 1;
  return true;
}

/** The newest usable sample of each known metric in a batch; other metrics are not this service's. */
export function latestValues(series: readonly SeriesLike[]): LatestValues {
  const values: Partial<Record<ObservedField, Observed>> = {};
  let invalid = 0;
  for (const s of series) {
    const field = FIELD_OF_METRIC.get(s.metric);
    if (!field) continue;
    for (const p of s.samples) {
      if (!(Number.isFinite(p.timestampMs) && p.timestampMs > 0) || !validValue(field, p.value)) {
        invalid++;
        continue;
      }
      const have = values[field];
      if (!have || p.timestampMs >= have.atMs) values[field] = { value: p.value, atMs: p.timestampMs };
    }
  }
  return { values, invalid };
}

export interface MeasureOptions {
  /** Consumers count as busy when the lag is at least this many seconds of their consumption. */
  busyBacklogSeconds: number;
  /** Lag, consumption rate and replicas are combined only when sampled this close together. */
  pairingToleranceMs: number;
}

export const DEFAULT_MEASURE_OPTIONS: MeasureOptions = { busyBacklogSeconds: 5, pairingToleranceMs: 60_000 };

const newer = (a: Observed | undefined, b: Observed | undefined): Observed | undefined => (!a ? b : !b ? a : b.atMs >= a.atMs ? b : a);

/**
 * Newest-wins merge of a batch's values into what was known, then a fresh per-consumer rate when
 * the group was busy: with messages waiting, consumption ÷ replicas is what one consumer can drain.
 * With no lag the consumption rate only says how much was produced, so the last measurement stays.
 */
export function mergeObservation(
  previous: GroupObservation | undefined,
  latest: Partial<Record<ObservedField, Observed>>,
  options: MeasureOptions = DEFAULT_MEASURE_OPTIONS,
): GroupObservation {
  const merged: GroupObservation = {
    lag: newer(previous?.lag, latest.lag),
    consumptionRate: newer(previous?.consumptionRate, latest.consumptionRate),
    replicas: newer(previous?.replicas, latest.replicas),
    partitions: newer(previous?.partitions, latest.partitions),
    perConsumerRate: previous?.perConsumerRate,
  };
  const { lag, consumptionRate: rate, replicas } = merged;
  if (!lag || !rate || !replicas) return merged;
  const close = (a: Observed, b: Observed) => Math.abs(a.atMs - b.atMs) <= options.pairingToleranceMs;
  const busy = replicas.value > 0 && rate.value > 0 && lag.value > 0 && lag.value >= rate.value * options.busyBacklogSeconds;
  const atMs = Math.max(lag.atMs, rate.atMs);
  if (busy && close(lag, rate) && close(lag, replicas) && atMs > (merged.perConsumerRate?.atMs ?? -Infinity)) {
    merged.perConsumerRate = { value: rate.value / replicas.value, atMs };
  }
  return merged;
}

export interface InputPolicy {
  nowMs: number;
  /** Lag and replica counts older than this are not used. */
  maxAgeMs: number;
  defaultPerConsumerRate: number;
  minReplicas: number;
}

export interface DecisionInputs {
  lag: number;
  perConsumerRate: number;
  currentReplicas: number;
  partitions: number | undefined;
  /** Where each input came from when it was not measured: appended to the decision's reason. */
  notes: string[];
}

/**
 * The measured inputs of a decision, with a stated fallback for each: lag 0 when not observed
 * recently, the configured per-consumer rate until one is measured, and the replicas the last
 * decision asked for (else the minimum) when no replica count is sampled.
 */
export function decisionInputs(obs: GroupObservation | undefined, lastDesiredReplicas: number | undefined, policy: InputPolicy): DecisionInputs {
  const fresh = (o: Observed | undefined): o is Observed => o !== undefined && policy.nowMs - o.atMs <= policy.maxAgeMs;
  const notes: string[] = [];
  const ageS = Math.round(policy.maxAgeMs / 1000);

  let lag = 0;
  if (fresh(obs?.lag)) lag = obs!.lag!.value;
  else notes.push(obs?.lag ? `lag last sampled over ${ageS} s ago: taken as 0` : 'lag not sampled yet: taken as 0');

  let perConsumerRate = policy.defaultPerConsumerRate;
  if (obs?.perConsumerRate) perConsumerRate = obs.perConsumerRate.value;
  else notes.push(`per-consumer rate not measured yet: the configured ${policy.defaultPerConsumerRate} msg/s`);

  let currentReplicas: number;
  if (fresh(obs?.replicas)) currentReplicas = obs!.replicas!.value;
  else {
    const why = obs?.replicas ? `replicas last sampled over ${ageS} s ago` : 'replicas not sampled';
    if (lastDesiredReplicas !== undefined) {
      currentReplicas = lastDesiredReplicas;
      notes.push(`${why}: ${lastDesiredReplicas} as last decided`);
    } else {
      currentReplicas = policy.minReplicas;
      notes.push(`${why} and never decided: taken as the minimum ${policy.minReplicas}`);
    }
  }

  return { lag, perConsumerRate, currentReplicas, partitions: obs?.partitions?.value, notes };
}
