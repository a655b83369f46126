import { Confidence, EntityRef, Forecast } from '@prescient/contracts';

/** Most parts one aggregate sums (a namespace or cluster larger than this is cut, and says so). */
export const MAX_AGGREGATE_PARTS = 20_000;

export interface AggregateResult {
  forecast: Forecast;
  /** Parts left out: their forecast does not reach the newest part's start, or sits on another grid. */
  excluded: { stale: number; misaligned: number };
}

/**
 * The forecast of a group (namespace, cluster) as the sum of its parts' forecasts of one metric and
 * horizon, so the aggregate is consistent with its parts by construction (bottom-up):
 *  - points run on the newest part's grid, from its start to where the earliest-ending part ends;
 *  - the mean is the sum of the parts' means;
 *  - each quantile is the sum of the parts' quantiles: exact if the parts move together, and an
 *    upper bound of the spread otherwise (sums of independent parts spread less). For capacity
 *    that errs on the safe side, and it keeps every part's band inside the group's;
 *  - window max/min/avg are taken over the summed means at the output step;
 *  - the confidence is the lowest of the parts'; no backtest error or measured coverage is claimed.
 * Parts whose forecast ends before the newest start (not refit for a whole horizon) are left out
 * and flagged `stale_parts`, as are parts on another step or grid (`misaligned_parts`).
 */
export function aggregateForecasts(group: EntityRef, parts: readonly Forecast[]): AggregateResult | undefined {
  const usable = parts.filter((p) => p.points.length > 0);
  if (usable.length === 0) return undefined;
  const reference = usable.reduce((a, b) => (b.startMs > a.startMs ? b : a));
  const stepMs = reference.stepSeconds * 1000;
  const start = reference.startMs;
  let end = reference.points[reference.points.length - 1].timestampMs;
  let stale = 0;
  let misaligned = 0;
  const included: Forecast[] = [];
  for (const part of usable) {
    const partEnd = part.points[part.points.length - 1].timestampMs;
    if (part.stepSeconds !== reference.stepSeconds || (start - part.startMs) % stepMs !== 0) {
      misaligned++;
      continue;
    }
    if (part.startMs > start || partEnd < start) {
      stale++;
      continue;
    }
    included.push(part);
    end = Math.min(end, partEnd);
  }
  const steps = Math.floor((end - start) / stepMs) + 1;
  const quantileLevels = commonQuantiles(included);
  const means = new Float64Array(steps);
  const sums = quantileLevels.map(() => new Float64Array(steps));
  for (const part of included) {
    const offset = Math.round((start - part.startMs) / stepMs);
    for (let i = 0; i < steps; i++) {
      const point = part.points[offset + i];
      means[i] += point.mean;
      quantileLevels.forEach((q, j) => {
        sums[j][i] += point.quantiles.find((v) => v.quantile === q)!.value;
      });
    }
  }
  let windowMax = -Infinity;
  let windowMin = Infinity;
  let total = 0;
  for (const m of means) {
    windowMax = Math.max(windowMax, m);
    windowMin = Math.min(windowMin, m);
    total += m;
  }
  const flags = [...new Set(included.flatMap((p) => p.flags))].sort();
  if (stale > 0) flags.push('stale_parts');
  if (misaligned > 0) flags.push('misaligned_parts');
  flags.sort();
  return {
    excluded: { stale, misaligned },
    forecast: {
      entity: group,
      metric: reference.metric,
      horizon: reference.horizon,
      startMs: start,
      stepSeconds: reference.stepSeconds,
      points: Array.from(means, (mean, i) => ({
        timestampMs: start + i * stepMs,
        mean,
        quantiles: quantileLevels.map((quantile, j) => ({ quantile, value: sums[j][i] })),
      })),
      windowMax,
      windowMin,
      windowAvg: total / steps,
      model: `sum of ${included.length} forecasts`,
      backtestMase: undefined,
      confidence: included.reduce<Confidence>((c, p) => lowerConfidence(c, p.confidence), Confidence.CONFIDENCE_HIGH),
      generatedAtMs: Math.min(...included.map((p) => p.generatedAtMs)),
      lastSampleMs: Math.min(...included.map((p) => p.lastSampleMs)),
      measuredCoverage: [],
      flags,
      parts: included.length,
    },
  };
}

/** Quantile levels every part publishes (an aggregate sums only like with like). */
function commonQuantiles(parts: readonly Forecast[]): number[] {
  let levels = parts[0].points[0].quantiles.map((q) => q.quantile);
  for (const part of parts) {
    const own = new Set(part.points[0].quantiles.map((q) => q.quantile));
    levels = levels.filter((q) => own.has(q));
  }
  return levels.sort((a, b) => a - b);
}

const CONFIDENCE_ORDER = [Confidence.CONFIDENCE_LOW, Confidence.CONFIDENCE_MEDIUM, Confidence.CONFIDENCE_HIGH];

function lowerConfidence(a: Confidence, b: Confidence): Confidence {
  const rank = (c: Confidence) => (CONFIDENCE_ORDER.includes(c) ? CONFIDENCE_ORDER.indexOf(c) : 0);
  return rank(a) <= rank(b) ? a : b;
}
