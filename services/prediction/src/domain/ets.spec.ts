import { autoEts, etsCandidates, etsName, fitEts, forecastEts } from './ets';

/** Deterministic standard normal noise (LCG + Box–Muller), so specs never flake. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const M = 24; // a short season keeps the specs fast; the code is the same for 288

function seasonal(n: number, f: (t: number) => number, noise: number, seed = 1): Float64Array {
  const g = gaussian(seed);
  return Float64Array.from({ length: n }, (_, t) => f(t) + noise * g());
}

const mae = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
};

describe('ETS / Holt–Winters', () => {
  const pattern = (t: number) => 10 + 3 * Math.sin((2 * Math.PI * (t % M)) / M) + (t % M === 5 ? 4 : 0);

  it('recovers a known additive seasonal pattern', () => {
    const y = seasonal(20 * M, pattern, 0.2);
    const fit = autoEts(y, M);
    expect(fit.spec.season).not.toBe('N');
    const f = forecastEts(y, fit.spec, fit.params, 2 * M);
    const truth = Float64Array.from({ length: 2 * M }, (_, h) => pattern(20 * M + h));
    expect(mae(f, truth)).toBeLessThan(0.3);
  });

  it('fits a damped trend: the forecast flattens instead of running on', () => {
    // A trend that levels off: slope 0.5 decaying by 0.9 per step.
    const g = gaussian(3);
    const y = new Float64Array(300);
    let level = 0;
    let slope = 0;
    for (let t = 0; t < 300; t += 1) {
      if (t % 60 === 0) slope = 2;
      slope *= 0.9;
      level += slope;
      y[t] = level + 0.05 * g();
    }
    const damped = fitEts(y, { trend: 'Ad', season: 'N', period: 1 });
    expect(damped.params.phi).toBeLessThan(0.97);
    const f = forecastEts(y, damped.spec, damped.params, 200);
    expect(f[199]! - f[100]!).toBeLessThan(0.5 * (f[100]! - f[0]!) + 1e-9);
  });

  it('prefers an undamped trend for a straight line', () => {
    const y = seasonal(200, (t) => 5 + 0.3 * t, 0.01);
    const fit = autoEts(y, 1);
    expect(etsName(fit.spec)).toBe('ets(A,A,N)');
    const f = forecastEts(y, fit.spec, fit.params, 10);
    expect(f[9]).toBeCloseTo(5 + 0.3 * 209, 0);
  });

  it('chooses a multiplicative season when the swing grows with the level', () => {
    const mult = (t: number) => (20 + 0.2 * t) * (1 + 0.5 * Math.sin((2 * Math.PI * (t % M)) / M));
    const y = seasonal(16 * M, mult, 0.05);
    const fit = autoEts(y, M);
    expect(fit.spec.season).toBe('M');
    const f = forecastEts(y, fit.spec, fit.params, M);
    const truth = Float64Array.from({ length: M }, (_, h) => mult(16 * M + h));
    expect(mae(f, truth) / mean(truth)).toBeLessThan(0.03);
  });

  it('offers multiplicative seasons only for positive series, and seasons only with two of them', () => {
    expect(etsCandidates(new Float64Array(3 * M).fill(1), M).map((s) => s.season)).toContain('M');
    const withZero = new Float64Array(3 * M).fill(1);
    withZero[4] = 0;
    expect(etsCandidates(withZero, M).map((s) => s.season)).not.toContain('M');
    expect(etsCandidates(new Float64Array(M + 1).fill(1), M).every((s) => s.season === 'N')).toBe(true);
  });
});

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += a[i]!;
  return s / a.length;
}
