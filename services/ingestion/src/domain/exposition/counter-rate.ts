/**
 * Counters to rates, pure: the caller keeps the state between scrapes and passes it back in.
 *
 * Semantics of Prometheus' rate()/increase() (promql/functions.go, extrapolatedRate): a counter
 * that goes down was reset, i.e. it restarted from 0, so the increase across the drop is the new
 * value itself (rate() adds the value before the drop back in). OpenMetrics adds `_created`: when a
 * series' created timestamp changes, it was reset even if the new value happens to be higher.
 */

export interface CounterPoint {
  value: number;
  timestampMs: number;
  /** OpenMetrics `_created`, in ms, when exposed. */
  createdMs?: number;
}

export interface CounterIncrease {
  /** How much the counter grew between the two points (≥ 0). */
  increase: number;
  seconds: number;
  /** increase ÷ seconds, per second. */
  rate: number;
  /** True when a reset was detected between the two points. */
  reset: boolean;
}

/**
 * The increase from `prev` to `cur`, or undefined when there is none to compute: no previous point,
 * a non-finite value, or a timestamp that does not move forward (a repeated or out-of-order point).
 */
export function counterIncrease(prev: CounterPoint | undefined, cur: CounterPoint): CounterIncrease | undefined {
  if (!prev || !Number.isFinite(cur.value) || !Number.isFinite(prev.value) || cur.timestampMs <= prev.timestampMs) return undefined;
  const createdChanged = prev.createdMs !== undefined && cur.createdMs !== undefined && cur.createdMs !== prev.createdMs;
  const reset = cur.value < prev.value || createdChanged;
  // After a reset the counter counted from 0 to its current value.
  const increase = reset ? Math.max(cur.value, 0) : cur.value - prev.value;
  const seconds = (cur.timestampMs - prev.timestampMs) / 1000;
  return { increase, seconds, rate: increase / seconds, reset };
}

export type CounterStates = ReadonlyMap<string, CounterPoint>;

export interface CounterObservation {
  key: string;
  point: CounterPoint;
}

/**
 * One scrape's counters against the previous state. The next state holds each series just seen
 * (a point that gave no increase because it was not newer keeps the older point); series absent
 * from this scrape are forgotten, so the state never outgrows one scrape.
 */
export function counterIncreases(prev: CounterStates, observed: readonly CounterObservation[]): { increases: Map<string, CounterIncrease>; next: Map<string, CounterPoint> } {
  const increases = new Map<string, CounterIncrease>();
  const next = new Map<string, CounterPoint>();
  for (const { key, point } of observed) {
    const before = prev.get(key);
    if (!Number.isFinite(point.value)) {
      if (before) next.set(key, before);
      continue;
    }
    if (before && point.timestampMs <= before.timestampMs) {
      next.set(key, before);
      continue;
    }
    const inc = counterIncrease(before, point);
    if (inc) increases.set(key, inc);
    next.set(key, point);
  }
  return { increases, next };
}
