/**
 * query_range windows. Prometheus evaluates a range query at start, start+step, … up to end
 * (web/api/v1/api.go, queryRange) and refuses a query whose `(end − start) / step` exceeds 11,000
 * ("exceeded maximum resolution of 11,000 points per timeseries"); VictoriaMetrics has its own
 * limit (-search.maxPointsPerTimeseries, 30,000 by default), Thanos follows Prometheus. A long
 * history is therefore fetched in chunks of at most `maxPoints` evaluation timestamps per series.
 *
 * Every window is aligned to multiples of the step, so a resumed run evaluates at exactly the
 * timestamps a first run would have: nothing is fetched twice, and nothing in between is missed.
 */

export interface RangeWindow {
  /** First evaluation timestamp (ms, a multiple of the step). */
  startMs: number;
  /** Last evaluation timestamp (ms, a multiple of the step, ≥ startMs). */
  endMs: number;
  /** Evaluation timestamps in the window: (endMs − startMs) / step + 1. */
  points: number;
}

export function alignUp(ms: number, stepMs: number): number {
  return Math.ceil(ms / stepMs) * stepMs;
}

export function alignDown(ms: number, stepMs: number): number {
  return Math.floor(ms / stepMs) * stepMs;
}

/** The step-aligned evaluation timestamps in [fromMs, toMs], cut into windows of at most `maxPoints`. */
export function planChunks(fromMs: number, toMs: number, stepMs: number, maxPoints: number): RangeWindow[] {
  if (!(stepMs > 0) || !Number.isInteger(stepMs)) throw new RangeError(`step must be a positive whole number of ms, got ${stepMs}`);
  if (!(maxPoints >= 1) || !Number.isInteger(maxPoints)) throw new RangeError(`maxPoints must be a positive integer, got ${maxPoints}`);
  const first = alignUp(fromMs, stepMs);
  const last = alignDown(toMs, stepMs);
  const windows: RangeWindow[] = [];
  for (let start = first; start <= last; start += maxPoints * stepMs) {
    const end = Math.min(start + (maxPoints - 1) * stepMs, last);
    windows.push({ startMs: start, endMs: end, points: (end - start) / stepMs + 1 });
  }
  return windows;
}

export interface RunPlanInput {
  nowMs: number;
  lookbackMs: number;
  stepMs: number;
  /** Where this run must stop (e.g. when the workload's live samples began); default now. */
  endMs?: number;
  /** The last evaluation timestamp already published by an earlier run of the same query, if any. */
  doneUntilMs?: number;
  /** History already fetched by another run that covers this one (the all-series run of the same query). */
  coveredUntilMs?: number;
}

/**
 * The window this run fetches: from `now − lookback` (or just after what earlier runs already
 * published), to `endMs` or now. Undefined when there is nothing left to fetch.
 */
export function planRun(input: RunPlanInput): { fromMs: number; toMs: number } | undefined {
  const { nowMs, lookbackMs, stepMs } = input;
  let from = alignUp(nowMs - lookbackMs, stepMs);
  if (input.doneUntilMs !== undefined) from = Math.max(from, alignDown(input.doneUntilMs, stepMs) + stepMs);
  if (input.coveredUntilMs !== undefined) from = Math.max(from, alignDown(input.coveredUntilMs, stepMs) + stepMs);
  const to = alignDown(Math.min(input.endMs ?? nowMs, nowMs), stepMs);
  return from <= to ? { fromMs: from, toMs: to } : undefined;
}
