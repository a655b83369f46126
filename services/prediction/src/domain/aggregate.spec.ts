import { Confidence, EntityKind, Forecast, Horizon, workloadRef } from '@prescient/contracts';
import { aggregateForecasts } from './aggregate';

const STEP = 300;
const namespace = { tenant: 't', kind: EntityKind.ENTITY_KIND_NAMESPACE, cluster: 'c', namespace: 'shop', workloadKind: '', name: '' };

function part(name: string, startMs: number, means: number[], options: Partial<Forecast> = {}): Forecast {
  return {
    entity: workloadRef('t', 'c', 'shop', 'Deployment', name),
    metric: 'cpu_usage_cores',
    horizon: Horizon.HORIZON_24H,
    startMs,
    stepSeconds: STEP,
    points: means.map((mean, i) => ({ timestampMs: startMs + i * STEP * 1000, mean, quantiles: [{ quantile: 0.1, value: mean * 0.5 }, { quantile: 0.9, value: mean * 2 }] })),
    windowMax: Math.max(...means),
    windowMin: Math.min(...means),
    windowAvg: 0,
    model: 'prescient',
    backtestMase: 0.7,
    confidence: Confidence.CONFIDENCE_HIGH,
    generatedAtMs: startMs - 1000,
    lastSampleMs: startMs - STEP * 1000,
    measuredCoverage: [{ quantile: 0.9, value: 0.88 }],
    flags: [],
    parts: 0,
    ...options,
  };
}

describe('aggregateForecasts', () => {
  const T = 1_700_000_100_000 - (1_700_000_100_000 % (STEP * 1000));

  it('sums the parts\' means and quantiles point by point, so the group is consistent with its parts', () => {
    const a = part('a', T, [1, 2, 3]);
    const b = part('b', T, [10, 20, 30], { confidence: Confidence.CONFIDENCE_LOW, flags: ['gaps_filled'] });
    const { forecast, excluded } = aggregateForecasts(namespace, [a, b])!;
    expect(excluded).toEqual({ stale: 0, misaligned: 0 });
    expect(forecast.points.map((p) => p.mean)).toEqual([11, 22, 33]);
    expect(forecast.points[1].quantiles).toEqual([{ quantile: 0.1, value: 11 }, { quantile: 0.9, value: 44 }]);
    expect(forecast).toMatchObject({ entity: namespace, parts: 2, windowMax: 33, windowMin: 11, windowAvg: 22, confidence: Confidence.CONFIDENCE_LOW, flags: ['gaps_filled'], model: 'sum of 2 forecasts', measuredCoverage: [] });
    expect(forecast.backtestMase).toBeUndefined();
    // Every part's band lies inside the group's.
    for (const [i, p] of forecast.points.entries()) {
      expect(p.quantiles[1].value).toBeGreaterThanOrEqual(a.points[i].quantiles[1].value + b.points[i].quantiles[0].value);
    }
  });

  it('runs on the newest part\'s grid, up to where the earliest-ending part ends', () => {
    const older = part('a', T, [1, 1, 1, 1]);
    const newer = part('b', T + 2 * STEP * 1000, [5, 5, 5, 5]);
    const { forecast } = aggregateForecasts(namespace, [older, newer])!;
    expect(forecast.startMs).toBe(T + 2 * STEP * 1000);
    expect(forecast.points.map((p) => p.mean)).toEqual([6, 6]);
    expect(forecast.generatedAtMs).toBe(older.generatedAtMs);
  });

  it('leaves out and flags parts that end before the newest start or sit on another grid', () => {
    const stale = part('old', T - 10 * STEP * 1000, [7, 7]);
    const offGrid = part('odd', T + 1000, [3, 3, 3]);
    const fresh = part('b', T + STEP * 1000, [1, 2]);
    const { forecast, excluded } = aggregateForecasts(namespace, [stale, offGrid, fresh])!;
    expect(excluded).toEqual({ stale: 1, misaligned: 1 });
    expect(forecast.parts).toBe(1);
    expect(forecast.flags).toEqual(['misaligned_parts', 'stale_parts']);
    expect(forecast.points.map((p) => p.mean)).toEqual([1, 2]);
  });

  it('sums only the quantiles every part publishes', () => {
    const a = part('a', T, [1]);
    const b = part('b', T, [2], { points: [{ timestampMs: T, mean: 2, quantiles: [{ quantile: 0.9, value: 4 }, { quantile: 0.99, value: 9 }] }] });
    expect(aggregateForecasts(namespace, [a, b])!.forecast.points[0].quantiles).toEqual([{ quantile: 0.9, value: 6 }]);
  });

  it('has nothing to say about an empty group', () => {
    expect(aggregateForecasts(namespace, [])).toBeUndefined();
    expect(aggregateForecasts(namespace, [part('a', T, [])])).toBeUndefined();
  });
});
