import fc from 'fast-check';
import { ForecastError, type Forecast, type ForecastRequest } from './forecast';
import { candidateNames, forecastPrescient, predictPrescient, prescientForecaster, safeLevel } from './prescient';
import type { SeriesSnapshot } from './series';

const DAY = 288;
const START = 1_700_006_400_000; // a UTC midnight
const STEP_MS = 300_000;

function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** A diurnal series of `days` days at `perDay` steps a day: 10 ± 4 over the day, plus noise. */
function diurnal(days: number, noise: number, seed = 1, perDay = DAY): Float64Array {
  const g = gaussian(seed);
  return Float64Array.from({ length: days * perDay }, (_, t) => 10 + 4 * Math.sin((2 * Math.PI * (t % perDay)) / perDay) + noise * g());
}

function snapshot(values: ArrayLike<number>, stepSeconds = 300, startMs: number | null = START): SeriesSnapshot {
  return { startMs, stepSeconds, values: Float64Array.from(values) };
}

function run(values: ArrayLike<number>, request: Partial<ForecastRequest> = {}, stepSeconds = 300): Forecast {
  return forecastPrescient(snapshot(values, stepSeconds), { metric: 'cpu', horizon: '24h', ...request });
}

const mae = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
};

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ForecastError) return e.reason;
    throw e;
  }
  return undefined;
}

describe('prescient: models and selection', () => {
  it('recovers a known daily pattern far better than repeating yesterday', () => {
    const y = diurnal(8, 0.5, 2);
    const truth = Float64Array.from({ length: DAY }, (_, h) => 10 + 4 * Math.sin((2 * Math.PI * h) / DAY));
    const f = predictPrescient(y.subarray(0, 7 * DAY), 300, DAY);
    const naive = y.subarray(6 * DAY, 7 * DAY);
    expect(mae(f.mean, truth)).toBeLessThan(0.5 * mae(naive, truth));
    expect(f.model).toMatch(/ets|mstl/);
    expect(f.backtestOrigins).toBe(4);
    expect(f.confidence).toBe('high');
  });

  it('holds a flat level for a series that is only noise', () => {
    const g = gaussian(4);
    const y = Float64Array.from({ length: 6 * DAY }, () => 5 + g());
    const f = predictPrescient(y, 300, DAY);
    const spread = Math.max(...f.mean) - Math.min(...f.mean);
    expect(spread).toBeLessThan(1.2);
    expect(mae(f.mean, new Float64Array(DAY).fill(5))).toBeLessThan(0.35);
  });

  it('uses the weekly season when weekends differ (30-minute steps, d = 48)', () => {
    const D = 48;
    const y = diurnal(35, 0.3, 6, D);
    for (let t = 0; t < y.length; t += 1) if (Math.floor(t / D) % 7 >= 5) y[t] = y[t]! * 0.3;
    const train = y.subarray(0, 33 * D); // ends after day 32 (32 % 7 = 4, a Friday): the weekend comes next
    const f = predictPrescient(train, 1800, 2 * D);
    expect(f.model).toMatch(/dw|7d|2w/); // a weekly model: seasonal naive 7d, the two-week slot mean, or the weekly decomposition
    const weekendTruth = y.subarray(33 * D, 35 * D);
    const yesterdayAgain = Float64Array.from({ length: 2 * D }, (_, h) => train[train.length - D + (h % D)]!);
    expect(mae(f.mean, weekendTruth)).toBeLessThan(0.25 * mae(yesterdayAgain, weekendTruth));
  });

  it('ranks the candidates by backtest loss and takes the best single model or the mean of the best three', () => {
    let scores: { model: string; loss: number; mase: number }[] = [];
    const f = predictPrescient(diurnal(6, 1, 8), 300, DAY, { onBacktest: (s) => (scores = s) });
    expect(scores.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < scores.length; i += 1) expect(scores[i]!.loss).toBeGreaterThanOrEqual(scores[i - 1]!.loss);
    // Either the best single model or the mean of the best three, whichever backtests better.
    expect([scores[0]!.model, scores.slice(0, 3).map((s) => s.model).join('+')]).toContain(f.model);
    // Noisy seasonal data: repeating one noisy day loses to models that average several.
    const rank = (m: string) => scores.findIndex((s) => s.model === m);
    expect(rank('seasonal-naive-1d')).toBeGreaterThan(rank('mstl-d-mean'));
    expect(scores.find((s) => s.model === 'seasonal-naive-1d')!.mase).toBeGreaterThan(1.2 * scores[0]!.mase);
  });

  it('can be restricted to named candidates', () => {
    expect(candidateNames()).toEqual(expect.arrayContaining(['seasonal-naive-1d', 'seasonal-naive-7d', 'ets', 'mstl-d-ets', 'flat-1d']));
    const f = predictPrescient(diurnal(4, 0.2), 300, 10, { candidates: ['seasonal-naive-1d'] });
    expect(f.model).toBe('seasonal-naive-1d');
  });

  it('lets a new level win at once after a level shift', () => {
    const y = diurnal(8, 0.3, 3);
    for (let t = 7 * DAY + 100; t < y.length; t += 1) y[t] = y[t]! + 20;
    const f = predictPrescient(y, 300, DAY);
    expect(f.flags).toContain('level_shift');
    const truth = Float64Array.from({ length: DAY }, (_, h) => 30 + 4 * Math.sin((2 * Math.PI * h) / DAY));
    expect(mae(f.mean, truth)).toBeLessThan(1.5);
  });

  it('clips outliers for fitting and flags it', () => {
    const y = diurnal(6, 0.3, 9);
    for (let t = 3 * DAY; t < 3 * DAY + 6; t += 1) y[t] = 500;
    const f = predictPrescient(y, 300, DAY);
    expect(f.flags).toContain('outliers_clipped');
    expect(Math.max(...f.mean)).toBeLessThan(20);
  });
});

describe('prescient: intervals', () => {
  it('covers held-out data near the nominal 80 % and reports its measured coverage', () => {
    let inside = 0;
    let above = 0;
    let total = 0;
    for (let seed = 1; seed <= 4; seed += 1) {
      const y = diurnal(7, 1, 20 + seed);
      const f = predictPrescient(y.subarray(0, 6 * DAY), 300, DAY, { quantiles: [0.1, 0.9] });
      for (let h = 0; h < DAY; h += 1) {
        const v = y[6 * DAY + h]!;
        if (v >= f.quantiles[0]![h]! && v <= f.quantiles[1]![h]!) inside += 1;
        if (v > f.quantiles[1]![h]!) above += 1;
        total += 1;
      }
      expect(f.measuredCoverage!['0.1']).toBeGreaterThan(0.03);
      expect(f.measuredCoverage!['0.9']).toBeGreaterThan(0.85);
    }
    expect(inside / total).toBeGreaterThan(0.72);
    expect(inside / total).toBeLessThan(0.92);
    expect(above / total).toBeLessThan(0.1);
  });

  it('reads upper quantiles further out (under-forecasting costs more) and never lets quantiles cross', () => {
    expect(safeLevel(0.9)).toBeCloseTo(0.93, 12);
    expect(safeLevel(0.99)).toBeCloseTo(0.993, 12);
    expect(safeLevel(0.5)).toBe(0.5);
    expect(safeLevel(0.1)).toBeCloseTo(0.11, 12);
    const f = run(diurnal(5, 1), { quantiles: [0.99, 0.5, 0.1, 0.9, 0.95] });
    for (const p of f.points) {
      expect(Object.keys(p.quantiles)).toEqual(['0.1', '0.5', '0.9', '0.95', '0.99']);
      const v = Object.values(p.quantiles);
      for (let i = 1; i < v.length; i += 1) expect(v[i]!).toBeGreaterThanOrEqual(v[i - 1]!);
    }
  });
});

describe('prescient: the Forecaster', () => {
  it('is exported as prescientForecaster with the output grid of each horizon', () => {
    expect(prescientForecaster.name).toBe('prescient');
    const y = diurnal(4, 0.2);
    for (const [horizon, points, step] of [
      ['24h', 288, 300],
      ['7d', 168, 3600],
      ['30d', 30, 86_400],
    ] as const) {
      const f = prescientForecaster.forecast(snapshot(y), { metric: 'cpu', horizon });
      expect(f.points).toHaveLength(points);
      expect(f.stepSeconds).toBe(step);
      expect(f.startMs).toBe(START + y.length * STEP_MS);
      expect(f.points[1]!.timestampMs - f.points[0]!.timestampMs).toBe(step * 1000);
    }
  });

  it('works at a 30-minute step: 24 h is 48 points of 30 minutes', () => {
    const f = run(diurnal(5, 0.2, 1, 48), {}, 1800);
    expect(f.points).toHaveLength(48);
    expect(f.stepSeconds).toBe(1800);
    expect(f.windowMax).toBeGreaterThan(f.windowAvg);
    expect(f.windowMin).toBeLessThan(f.windowAvg);
  });

  it('reports window max/min/avg at the history step and the model, backtest error and coverage', () => {
    const f = run(diurnal(5, 0.1), { horizon: '30d' });
    expect(f.windowMax).toBeGreaterThan(13);
    expect(f.windowMin).toBeLessThan(7);
    expect(Math.max(...f.points.map((p) => p.mean))).toBeLessThan(11);
    expect(f.model.length).toBeGreaterThan(0);
    expect(f.backtestMase).toBeGreaterThan(0);
    expect(f.measuredCoverage).toBeDefined();
  });
});

describe('prescient: bad input', () => {
  it.each([
    ['empty', []],
    ['all NaN', new Array(500).fill(Number.NaN)],
    ['all Infinity', [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]],
  ])('refuses a history that is %s with reason no_data', (_name, values) => {
    expect(reasonOf(() => run(values))).toBe('no_data');
  });

  it('refuses invalid steps, starts, horizons and quantiles with precise reasons', () => {
    expect(reasonOf(() => run(diurnal(2, 0), {}, 7))).toBe('invalid_step');
    expect(reasonOf(() => run(diurnal(2, 0), {}, 0))).toBe('invalid_step');
    expect(reasonOf(() => forecastPrescient(snapshot([1, 2], 300, null), { metric: 'm', horizon: '24h' }))).toBe('invalid_start');
    expect(reasonOf(() => run([1, 2], { horizon: '1y' }))).toBe('unknown_horizon');
    expect(reasonOf(() => run([1, 2], { quantiles: [1.5] }))).toBe('invalid_quantile');
  });

  it('forecasts a constant series flat, zero-width, flagged', () => {
    const f = run(new Array(3 * DAY).fill(4.2), { quantiles: [0.05, 0.95] });
    expect(f.model).toBe('constant');
    expect(f.flags).toContain('constant');
    for (const p of f.points) expect([p.mean, p.quantiles['0.05'], p.quantiles['0.95']]).toEqual([4.2, 4.2, 4.2]);
  });

  it('forecasts one point flat with low confidence (cold start)', () => {
    const f = run([3]);
    expect(f.flags).toEqual(expect.arrayContaining(['constant', 'cold_start']));
    expect(f.confidence).toBe('low');
    expect(f.points[0]!.mean).toBe(3);
  });

  it('cold start (under two days): the robust fallback, low confidence, a band from what was seen', () => {
    const f = run(diurnal(1, 0.5), { quantiles: [0.1, 0.9] });
    expect(f.flags).toContain('cold_start');
    expect(f.confidence).toBe('low');
    expect(f.points[0]!.quantiles['0.9']! - f.points[0]!.quantiles['0.1']!).toBeGreaterThan(4);
  });

  it('clamps a falling non-negative quantity at zero (flagged), and not when asked', () => {
    const y = Float64Array.from({ length: 4 * DAY }, (_, t) => Math.max(0.01, 3 - t / 300) + 0.01 * Math.sin(t));
    const clamped = run(y, { quantiles: [0.1] });
    expect(Math.min(...clamped.points.map((p) => p.quantiles['0.1']!))).toBeGreaterThanOrEqual(0);
    const raw = run(y, { quantiles: [0.1], nonNegative: false });
    expect(Math.min(...raw.points.map((p) => p.quantiles['0.1']!))).toBeLessThan(0);
  });

  it('never emits NaN or Infinity, whatever the history', () => {
    const value = fc.oneof(
      { weight: 6, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
      { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, -1e99, 0, 1e-300) },
    );
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 3 * DAY }),
        fc.constantFrom('24h', '7d', '30d'),
        fc.boolean(),
        (values, horizon, nonNegative) => {
          let f: Forecast;
          try {
            f = run(values, { horizon, nonNegative, quantiles: [0.1, 0.5, 0.9, 0.95, 0.99] });
          } catch (e) {
            expect(e).toBeInstanceOf(ForecastError);
            expect((e as ForecastError).reason).toBe('no_data');
            return;
          }
          const numbers = [f.startMs, f.windowMax, f.windowMin, f.windowAvg, ...(f.backtestMase === undefined ? [] : [f.backtestMase])];
          for (const p of f.points) numbers.push(p.timestampMs, p.mean, ...Object.values(p.quantiles));
          expect(numbers.every(Number.isFinite)).toBe(true);
          if (nonNegative) for (const p of f.points) expect(Math.min(p.mean, ...Object.values(p.quantiles))).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 60, seed: 42 },
    );
  });
});
