/**
 * When to refit a series: the first time, on a schedule, and early when its newest data leave the
 * last forecast's 80 % band far more often than 20 % of the time (the error has drifted: a new
 * deployment, a changed traffic pattern). Pure: the service feeds it completed steps.
 */

/** The last 24 h forecast's 0.1–0.9 band, one pair per step from `startMs`. */
export interface ForecastBand {
  fittedAtMs: number;
  startMs: number;
  stepMs: number;
  lower: Float64Array;
  upper: Float64Array;
}

/** Share of actuals a calibrated 0.1–0.9 band leaves outside. */
const EXPECTED_OUTSIDE = 0.2;
/** Fewest scored steps before drift can be declared (30 minutes at 5-minute steps). */
export const MIN_DRIFT_STEPS = 6;
/** A run of outside steps this unlikely under a calibrated band is drift. */
export const DRIFT_P_VALUE = 0.001;

export class DriftMonitor {
  private scored = 0;
  private outsideCount = 0;

  constructor(readonly band: ForecastBand) {}

  get observed(): number {
    return this.scored;
  }

  get outside(): number {
    return this.outsideCount;
  }

  /** Scores one completed step's value; steps outside the band's span, and gaps, are not scored. */
  score(stepStartMs: number, value: number): void {
    if (!Number.isFinite(value)) return;
    const i = Math.round((stepStartMs - this.band.startMs) / this.band.stepMs);
    if (i < 0 || i >= this.band.lower.length) return;
    this.scored += 1;
    if (value < this.band.lower[i]! || value > this.band.upper[i]!) this.outsideCount += 1;
  }

  /** True when this many outside steps would happen by chance with probability under DRIFT_P_VALUE. */
  drifted(): boolean {
    return this.scored >= MIN_DRIFT_STEPS && binomialUpperTail(this.outsideCount, this.scored, EXPECTED_OUTSIDE) < DRIFT_P_VALUE;
  }
}

export type RefitReason = 'first' | 'schedule' | 'drift';

/** Why the series is due for a refit now, or undefined while its forecast still holds. */
export function refitDue(monitor: DriftMonitor | undefined, nowMs: number, intervalMs: number): RefitReason | undefined {
  if (!monitor) return 'first';
  if (nowMs - monitor.band.fittedAtMs >= intervalMs) return 'schedule';
  if (monitor.drifted()) return 'drift';
  return undefined;
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed in log space (n is at most a few hundred steps). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  let total = 0;
  for (let i = k; i <= n; i++) total += Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return Math.min(1, total);
}

function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log((n - k + i) / i);
  return sum;
}
