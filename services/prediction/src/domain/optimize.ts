// Derivative-free minimisation for the smoothing parameters of the models (a handful of dimensions).

export interface Minimum {
  x: number[];
  value: number;
  evaluations: number;
}

/**
 * Nelder–Mead simplex (standard coefficients 1, 2, 0.5, 0.5) from `start`, with initial steps `step`.
 * Stops after `maxEvaluations` or when the simplex's values differ by less than `tolerance` (relative).
 * A non-finite objective value counts as +Infinity, so the search walks away from it.
 */
export function nelderMead(f: (x: number[]) => number, start: number[], step: number | number[], maxEvaluations = 200, tolerance = 1e-7): Minimum {
  const n = start.length;
  let evaluations = 0;
  const evaluate = (x: number[]): number => {
    evaluations += 1;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const simplex: number[][] = [start.slice()];
  for (let i = 0; i < n; i += 1) {
    const p = start.slice();
    p[i]! += Array.isArray(step) ? step[i]! : step;
    simplex.push(p);
  }
  const values = simplex.map(evaluate);
  const order = (): void => {
    const idx = values.map((_, i) => i).sort((a, b) => values[a]! - values[b]!);
    const s = idx.map((i) => simplex[i]!);
    const v = idx.map((i) => values[i]!);
    for (let i = 0; i <= n; i += 1) {
      simplex[i] = s[i]!;
      values[i] = v[i]!;
    }
  };
  order();
  while (evaluations < maxEvaluations) {
    const best = values[0]!;
    const worst = values[n]!;
    if (Math.abs(worst - best) <= tolerance * (Math.abs(best) + 1e-12)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i += 1) for (let j = 0; j < n; j += 1) centroid[j]! += simplex[i]![j]! / n;
    const along = (t: number): number[] => centroid.map((c, j) => c + t * (simplex[n]![j]! - c));
    const reflected = along(-1);
    const fr = evaluate(reflected);
    if (fr < values[0]!) {
      const expanded = along(-2);
      const fe = evaluate(expanded);
      if (fe < fr) {
        simplex[n] = expanded;
        values[n] = fe;
      } else {
        simplex[n] = reflected;
        values[n] = fr;
      }
    } else if (fr < values[n - 1]!) {
      simplex[n] = reflected;
      values[n] = fr;
    } else {
      const contracted = fr < values[n]! ? along(-0.5) : along(0.5);
      const fc = evaluate(contracted);
      if (fc < Math.min(fr, values[n]!)) {
        simplex[n] = contracted;
        values[n] = fc;
      } else {
        for (let i = 1; i <= n; i += 1) {
          simplex[i] = simplex[i]!.map((v, j) => simplex[0]![j]! + 0.5 * (v - simplex[0]![j]!));
          values[i] = evaluate(simplex[i]!);
        }
      }
    }
    order();
  }
  return { x: simplex[0]!, value: values[0]!, evaluations };
}

/** Maps the real line onto (lo, hi); the inverse of `toUnbounded`. */
export function toBounded(u: number, lo: number, hi: number): number {
  return lo + (hi - lo) / (1 + Math.exp(-u));
}

export function toUnbounded(x: number, lo: number, hi: number): number {
  const p = Math.min(Math.max((x - lo) / (hi - lo), 1e-9), 1 - 1e-9);
  return Math.log(p / (1 - p));
}
