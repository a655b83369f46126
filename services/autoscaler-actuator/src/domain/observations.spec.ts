import { Horizon, PredictionEvent, consumerGroupRef } from '@prescient/contracts';
import { dayForecast, generatedAtMs, toRateForecast } from './from-contract';
import { decisionInputs, GROUP_METRICS, latestValues, mergeObservation, type GroupObservation } from './observations';

const T = 1_700_000_000_000;

describe('latestValues', () => {
  it('keeps the newest usable sample of each known metric and ignores other metrics', () => {
    const { values, invalid } = latestValues([
      { metric: GROUP_METRICS.lag, samples: [{ timestampMs: T + 2000, value: 50 }, { timestampMs: T, value: 10 }] },
      { metric: GROUP_METRICS.consumptionRate, samples: [{ timestampMs: T, value: 12.5 }] },
      { metric: GROUP_METRICS.replicas, samples: [{ timestampMs: T, value: 3 }] },
      { metric: 'cpu_usage_cores', samples: [{ timestampMs: T, value: Number.NaN }] },
    ]);
    expect(values).toEqual({ lag: { value: 50, atMs: T + 2000 }, consumptionRate: { value: 12.5, atMs: T }, replicas: { value: 3, atMs: T } });
    expect(invalid).toBe(0);
  });

  it.each([
    ['NaN lag (a stale marker)', GROUP_METRICS.lag, Number.NaN],
    ['negative consumption', GROUP_METRICS.consumptionRate, -1],
    ['infinite lag', GROUP_METRICS.lag, Infinity],
    ['fractional replicas', GROUP_METRICS.replicas, 2.5],
    ['zero partitions', GROUP_METRICS.partitions, 0],
  ])('skips %s and counts it, keeping the older valid sample', (_name, metric, bad) => {
    const { values, invalid } = latestValues([{ metric, samples: [{ timestampMs: T, value: 1 }, { timestampMs: T + 1000, value: bad }] }]);
    expect(Object.values(values)).toEqual([{ value: 1, atMs: T }]);
    expect(invalid).toBe(1);
  });

  it('skips a sample without a usable timestamp', () => {
    expect(latestValues([{ metric: GROUP_METRICS.lag, samples: [{ timestampMs: 0, value: 5 }] }])).toEqual({ values: {}, invalid: 1 });
  });
});

describe('mergeObservation', () => {
  const at = (value: number, atMs = T) => ({ value, atMs });

  it('keeps the newer of each value', () => {
    const merged = mergeObservation({ lag: at(10, T + 5000), replicas: at(2, T) }, { lag: at(99, T), replicas: at(3, T + 1000) });
    expect(merged.lag).toEqual(at(10, T + 5000));
    expect(merged.replicas).toEqual(at(3, T + 1000));
  });

  it('measures the per-consumer rate when messages wait: consumption ÷ replicas', () => {
    const merged = mergeObservation(undefined, { lag: at(60_000), consumptionRate: at(400), replicas: at(2) });
    expect(merged.perConsumerRate).toEqual(at(200));
  });

  it('does not measure when the consumers keep up (consumption is then demand, not capacity)', () => {
    const previous: GroupObservation = { perConsumerRate: at(150, T - 60_000) };
    expect(mergeObservation(previous, { lag: at(0), consumptionRate: at(400), replicas: at(2) }).perConsumerRate).toEqual(at(150, T - 60_000));
    // 1000 messages waiting is 2.5 s of consumption at 400 msg/s: below the 5 s that counts as busy.
    expect(mergeObservation(previous, { lag: at(1000), consumptionRate: at(400), replicas: at(2) }).perConsumerRate).toEqual(at(150, T - 60_000));
  });

  it('does not combine values sampled far apart, nor divide by zero replicas', () => {
    expect(mergeObservation(undefined, { lag: at(60_000), consumptionRate: at(400), replicas: at(2, T - 600_000) }).perConsumerRate).toBeUndefined();
    expect(mergeObservation(undefined, { lag: at(60_000), consumptionRate: at(400), replicas: at(0) }).perConsumerRate).toBeUndefined();
  });

  it('combines a new batch with values known from an earlier one', () => {
    const merged = mergeObservation({ replicas: at(4, T - 10_000) }, { lag: at(60_000), consumptionRate: at(1000) });
    expect(merged.perConsumerRate).toEqual(at(250));
  });
});

describe('decisionInputs', () => {
  const policy = { nowMs: T, maxAgeMs: 300_000, defaultPerConsumerRate: 100, minReplicas: 1 };

  it('uses fresh measurements as they are', () => {
    const obs: GroupObservation = { lag: { value: 500, atMs: T - 1000 }, replicas: { value: 3, atMs: T - 1000 }, partitions: { value: 12, atMs: T - 86_400_000 }, perConsumerRate: { value: 250, atMs: T - 86_400_000 } };
    expect(decisionInputs(obs, 7, policy)).toEqual({ lag: 500, perConsumerRate: 250, currentReplicas: 3, partitions: 12, notes: [] });
  });

  it('falls back, saying so: lag 0, the configured rate, the minimum replicas', () => {
    expect(decisionInputs(undefined, undefined, policy)).toEqual({
      lag: 0, perConsumerRate: 100, currentReplicas: 1, partitions: undefined,
      notes: ['lag not sampled yet: taken as 0', 'per-consumer rate not measured yet: the configured 100 msg/s', 'replicas not sampled and never decided: taken as the minimum 1'],
    });
  });

  it('does not use stale lag or replicas; takes the last decision for replicas', () => {
    const stale = { value: 9, atMs: T - 301_000 };
    const inputs = decisionInputs({ lag: stale, replicas: stale }, 5, policy);
    expect(inputs).toMatchObject({ lag: 0, currentReplicas: 5 });
    expect(inputs.notes).toEqual(expect.arrayContaining(['lag last sampled over 300 s ago: taken as 0', 'replicas last sampled over 300 s ago: 5 as last decided']));
  });
});

describe('from the wire', () => {
  const entity = consumerGroupRef('acme', 'c1', 'orders');
  const forecast = (horizon: Horizon, generated: number) => ({
    entity, metric: 'kafka_production_rate', horizon, startMs: T, stepSeconds: 300, windowMax: 0, windowMin: 0, windowAvg: 0, model: 'm', confidence: 0, generatedAtMs: generated, lastSampleMs: T, measuredCoverage: [], flags: [], parts: 0,
    points: [{ timestampMs: T, mean: 8, quantiles: [{ quantile: 0.5, value: 8 }, { quantile: 0.9, value: 10 }] }],
  });
  const event: PredictionEvent = { entity, metric: 'kafka_production_rate', forecasts: [forecast(Horizon.HORIZON_7D, T + 5), forecast(Horizon.HORIZON_24H, T + 1)] };

  it('reads the 24 h forecast with its quantiles keyed as decideReplicas asks for them', () => {
    expect(toRateForecast(dayForecast(event))).toEqual({ stepSeconds: 300, points: [{ timestampMs: T, mean: 8, quantiles: { '0.5': 8, '0.9': 10 } }] });
    expect(generatedAtMs(event)).toBe(T + 1);
  });

  it('has no rate forecast without a 24 h forecast, and dates the event by its newest forecast', () => {
    const noDay = { ...event, forecasts: [event.forecasts[0]] };
    expect(toRateForecast(dayForecast(noDay))).toBeUndefined();
    expect(generatedAtMs(noDay)).toBe(T + 5);
  });
});
