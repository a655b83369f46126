// Prediction intervals from backtest residuals (split conformal, normalised per horizon step): the
// residuals of the chosen forecast at every backtest origin give, per lead time h, a local scale σ(h)
// (the mean absolute residual of nearby leads across origins, so errors may grow with h and differ by
// time of day); the residuals divided by their σ(h) are pooled, and the band at level q is
// point(h) + σ(h)·Q_z(q). Pooling the normalised residuals gives enough of them for the 0.99 tail.
import { quantileOfSorted } from './stats';

export interface Calibration {
  /** σ(h) for h in [0, steps). */
  sigma: Float64Array;
  /** Sorted normalised residuals. */
  z: Float64Array;
}

/**
 * `residuals[k][h]` is actual − forecast at origin k and lead h (NaN where the actual was a gap).
 * `halfWidth` is the pooling half-width in leads. The result covers `steps` leads: beyond the backtested
 * ones σ grows like √(lead / backtested leads), phase-aligned to `season` when the backtest spans one.
 */
export function calibrate(residuals: Float64Array[], steps: number, halfWidth: number, season: number): Calibration | undefined {
  const K = residuals.length;
  if (K === 0) return undefined;
  const H = residuals[0]!.length;
  if (H === 0) return undefined;
  const local = localScale(residuals, halfWidth);
  if (local === undefined) return undefined;
  // Conformity scores out of fold (as in CV+): origin k's residuals are divided by the σ of the other
  // origins, so the scores also carry the error of estimating σ from a few origins.
  const z: number[] = [];
  for (let k = 0; k < K; k += 1) {
    const sigmaK = K >= 2 ? localScale(residuals.filter((_, j) => j !== k), halfWidth) ?? local : local;
    const r = residuals[k]!;
    for (let h = 0; h < H; h += 1) if (Number.isFinite(r[h]!)) z.push(r[h]! / sigmaK[h]!);
  }
  const sigma = new Float64Array(steps);
  for (let h = 0; h < steps; h += 1) {
    if (h < H) sigma[h] = local[h]!;
    else {
      const phaseIndex = H >= season && season > 0 ? H - season + ((h - H) % season) : H - 1;
      sigma[h] = local[phaseIndex]! * Math.sqrt((h + 1) / H);
    }
  }
  return { sigma, z: Float64Array.from(z).sort() };
}

/** σ(h): mean |residual| over origins and the leads within `halfWidth`, floored at a fifth of the overall. */
function localScale(residuals: Float64Array[], halfWidth: number): Float64Array | undefined {
  const K = residuals.length;
  const H = residuals[0]!.length;
  const absSum = new Float64Array(H + 1);
  const cnt = new Float64Array(H + 1);
  for (let h = 0; h < H; h += 1) {
    let s = 0;
    let c = 0;
    for (let k = 0; k < K; k += 1) {
      const r = residuals[k]![h]!;
      if (Number.isFinite(r)) {
        s += Math.abs(r);
        c += 1;
      }
    }
    absSum[h + 1] = absSum[h]! + s;
    cnt[h + 1] = cnt[h]! + c;
  }
  if (cnt[H] === 0) return undefined;
  const overall = absSum[H]! / cnt[H]!;
  const floor = Math.max(overall * 0.2, 1e-12);
  const local = new Float64Array(H);
  for (let h = 0; h < H; h += 1) {
    const a = Math.max(0, h - halfWidth);
    const b = Math.min(H, h + halfWidth + 1);
    const c = cnt[b]! - cnt[a]!;
    local[h] = Math.max(c > 0 ? (absSum[b]! - absSum[a]!) / c : overall, floor);
  }
  return local;
}

/** The offset of quantile level q at lead h. */
export function bandOffset(c: Calibration, h: number, q: number): number {
  return c.sigma[h]! * quantileOfSorted(c.z, q);
}
