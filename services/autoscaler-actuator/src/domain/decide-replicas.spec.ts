import { decideReplicas, DecisionError, type ConsumerGroupState, type RateForecast } from './decide-replicas';

const NOW = 1_700_000_000_000;
const STEP = 300;

/** q0.9 rates per 5-minute step from `startMs`; q0.5 and the mean at 80% of it. */
function forecast(q90: number[], startMs = NOW, stepSeconds = STEP): RateForecast {
  return {
    stepSeconds,
    points: q90.map((r, i) => ({ timestampMs: startMs + i * stepSeconds * 1000, mean: r * 0.8, quantiles: { '0.5': r * 0.8, '0.9': r } })),
  };
}

function state(overrides: Partial<ConsumerGroupState> = {}): ConsumerGroupState {
  return {
    predictedProduction: forecast([1000, 1000, 1000, 1000]),
    perConsumerRate: 250,
    lag: 0,
    partitions: 12,
    currentReplicas: 4,
    minReplicas: 1,
    maxReplicas: 10,
    targetDrainSeconds: 300,
    leadTimeSeconds: 600,
    nowMs: NOW,
    cooldown: { scaleDownCooldownSeconds: 300 },
    ...overrides,
  };
}

describe('decideReplicas', () => {
  it.each<[string, Partial<ConsumerGroupState>, number, string, RegExp]>([
    ['steady load it can drain', {}, 4, 'hold', /^hold: q0\.9 production peak 1000 msg\/s .* → 4 needed/],
    ['a predicted rise inside the lead time', { predictedProduction: forecast([1000, 2000, 1000]) }, 8, 'scale-up', /peak 2000/],
    ['a rise beyond the lead time is not yet acted on', { predictedProduction: forecast([1000, 1000, 5000]) }, 4, 'hold', /peak 1000/],
    ['lag to drain', { lag: 150_000 }, 6, 'scale-up', /lag 150000 ÷ 300 s = 1500 msg\/s/],
    ['more than the partitions', { predictedProduction: forecast([2000]), partitions: 6 }, 6, 'scale-up', /capped at 6 \(6 partitions: more consumers would idle; add partitions/],
    ['more than maxReplicas', { predictedProduction: forecast([2000]), maxReplicas: 5 }, 5, 'scale-up', /capped at 5 \(maxReplicas\)/],
    ['partitions unknown: only maxReplicas caps', { predictedProduction: forecast([5000]), partitions: undefined }, 10, 'scale-up', /→ 20 needed, capped at 10 \(maxReplicas\)$/],
    ['partitions unknown, within maxReplicas', { predictedProduction: forecast([2000]), partitions: undefined, maxReplicas: 30 }, 8, 'scale-up', /→ 8 needed$/],
    ['less than minReplicas', { predictedProduction: forecast([10]), minReplicas: 4 }, 4, 'hold', /raised to minReplicas 4/],
    ['clearly less, no recent scaling', { predictedProduction: forecast([500]) }, 2, 'scale-down', /^scale down:/],
    ['one less only (hysteresis)', { predictedProduction: forecast([750]) }, 4, 'hold', /hysteresis band \(3 needed vs 4 running\)/],
    ['clearly less, inside cooldown', { predictedProduction: forecast([500]), cooldown: { lastScaleAtMs: NOW - 100_000, scaleDownCooldownSeconds: 300 } }, 4, 'hold', /cooldown: 200 s left/],
    ['clearly less, cooldown over', { predictedProduction: forecast([500]), cooldown: { lastScaleAtMs: NOW - 300_000, scaleDownCooldownSeconds: 300 } }, 2, 'scale-down', /scale down/],
    ['a rise ignores cooldown', { predictedProduction: forecast([2000]), cooldown: { lastScaleAtMs: NOW, scaleDownCooldownSeconds: 300 } }, 8, 'scale-up', /scale up/],
    ['an idle group goes to its minimum', { predictedProduction: forecast([0]), currentReplicas: 1, minReplicas: 0 }, 0, 'scale-down', /0 needed/],
    ['more running than partitions, in cooldown', { currentReplicas: 20, maxReplicas: 30, predictedProduction: forecast([500]), cooldown: { lastScaleAtMs: NOW, scaleDownCooldownSeconds: 300 } }, 12, 'scale-down', /upper bound 12; further shrink held \(cooldown/],
    ['minReplicas above the partitions', { minReplicas: 8, partitions: 4, predictedProduction: forecast([100]) }, 8, 'scale-up', /minReplicas 8 exceeds the 4 partitions/],
    ['the q0.5 line when asked', { quantile: 0.5, predictedProduction: forecast([2000]) }, 7, 'scale-up', /q0\.5 production peak 1600/],
    ['float noise at an exact fit', { predictedProduction: forecast([0.1 + 0.2]), perConsumerRate: 0.3, currentReplicas: 1 }, 1, 'hold', /1 needed/],
  ])('%s → %i (%s)', (_name, overrides, replicas, action, reason) => {
    const d = decideReplicas(state(overrides));
    expect(d.replicas).toBe(replicas);
    expect(d.action).toBe(action);
    expect(d.reason).toMatch(reason);
  });

  it('uses a step that started before now and still overlaps the window', () => {
    const d = decideReplicas(state({ predictedProduction: forecast([3000, 1000], NOW - 100_000) }));
    expect(d.predictedProductionRate).toBe(3000);
    expect(d.replicas).toBe(10); // 12 needed, capped at maxReplicas 10
  });

  describe('queue latency', () => {
    it('reports current latency and predicts the lag drained by the end of the window', () => {
      // (1000 + 30000 / 300) / 250 = 4.4 → 5 consumers drain 1250 msg/s: 30 000 messages are gone in 120 s.
      const d = decideReplicas(state({ lag: 30_000 }));
      expect(d).toMatchObject({ replicas: 5, neededReplicas: 5, currentLagSeconds: 30, predictedLagSeconds: 0, predictedProductionRate: 1000 });
    });

    it('predicts growing latency when capped by partitions', () => {
      // 4 consumers × 250 = 1000 msg/s against 1200: the backlog grows by 200 × 600 s on top of 30 000.
      const d = decideReplicas(state({ lag: 30_000, partitions: 4, predictedProduction: forecast([1200, 1200]) }));
      expect(d.replicas).toBe(4);
      expect(d.predictedLagSeconds).toBe(150);
    });
  });

  describe('safe decisions', () => {
    it.each<[string, RateForecast | undefined]>([
      ['no forecast', undefined],
      ['an empty forecast', { stepSeconds: 300, points: [] }],
      ['a stale forecast', forecast([100, 100], NOW - 3_600_000)],
      ['a forecast that starts after the window', forecast([100], NOW + 3_600_000)],
    ])('%s → hold, never shrink', (_name, predictedProduction) => {
      const d = decideReplicas(state({ predictedProduction, currentReplicas: 9 }));
      expect(d).toMatchObject({ replicas: 9, action: 'hold', predictedProductionRate: null, predictedLagSeconds: null, neededReplicas: null });
      expect(d.reason).toMatch(/no production forecast covers the next 600 s: holding 9/);
    });

    it('starts one consumer when there is lag, none running and no forecast', () => {
      const d = decideReplicas(state({ predictedProduction: undefined, currentReplicas: 0, minReplicas: 0, lag: 10 }));
      expect(d).toMatchObject({ replicas: 1, action: 'scale-up', currentLagSeconds: null });
      expect(d.reason).toMatch(/starting one consumer/);
    });

    it('holds when the per-consumer rate is 0 and there is work', () => {
      const d = decideReplicas(state({ perConsumerRate: 0, lag: 1000 }));
      expect(d).toMatchObject({ replicas: 4, action: 'hold', neededReplicas: null, predictedLagSeconds: null, currentLagSeconds: null });
      expect(d.reason).toMatch(/per-consumer rate is 0/);
    });

    it('still enforces bounds in a safe hold', () => {
      expect(decideReplicas(state({ predictedProduction: undefined, currentReplicas: 20, maxReplicas: 30 })).replicas).toBe(12);
      expect(decideReplicas(state({ predictedProduction: undefined, currentReplicas: 0, minReplicas: 2 })).replicas).toBe(2);
    });

    it('lets an idle group with an unmeasured rate go to its minimum', () => {
      const d = decideReplicas(state({ perConsumerRate: 0, predictedProduction: forecast([0]), currentReplicas: 2, minReplicas: 0 }));
      expect(d).toMatchObject({ replicas: 0, predictedLagSeconds: 0 });
    });
  });

  describe('bad input', () => {
    const reasonOf = (s: ConsumerGroupState): string | undefined => {
      try {
        decideReplicas(s);
      } catch (e) {
        if (e instanceof DecisionError) return `${e.reason}: ${e.message}`;
        throw e;
      }
      return undefined;
    };

    it.each<[string, Partial<ConsumerGroupState>, RegExp]>([
      ['NaN lag', { lag: Number.NaN }, /^invalid_input: lag is NaN/],
      ['negative lag', { lag: -1 }, /^invalid_input: lag/],
      ['negative consumption rate', { perConsumerRate: -5 }, /^invalid_input: perConsumerRate/],
      ['infinite consumption rate', { perConsumerRate: Infinity }, /^invalid_input: perConsumerRate/],
      ['no partitions', { partitions: 0 }, /^invalid_input: partitions/],
      ['fractional replicas', { currentReplicas: 1.5 }, /^invalid_input: currentReplicas/],
      ['negative minReplicas', { minReplicas: -1 }, /^invalid_input: minReplicas/],
      ['min above max', { minReplicas: 5, maxReplicas: 2 }, /^invalid_input: minReplicas is 5; expected ≤ maxReplicas \(2\)/],
      ['zero drain time', { targetDrainSeconds: 0 }, /^invalid_input: targetDrainSeconds/],
      ['NaN lead time', { leadTimeSeconds: Number.NaN }, /^invalid_input: leadTimeSeconds/],
      ['NaN clock', { nowMs: Number.NaN }, /^invalid_input: nowMs/],
      ['negative cooldown', { cooldown: { scaleDownCooldownSeconds: -1 } }, /^invalid_input: cooldown\.scaleDownCooldownSeconds/],
      ['NaN last scaling', { cooldown: { lastScaleAtMs: Number.NaN, scaleDownCooldownSeconds: 1 } }, /^invalid_input: cooldown\.lastScaleAtMs/],
      ['quantile 1', { quantile: 1 }, /^invalid_input: quantile/],
      ['forecast step 0', { predictedProduction: { ...forecast([1]), stepSeconds: 0 } }, /^invalid_forecast: forecast stepSeconds/],
      ['NaN point timestamp', { predictedProduction: { stepSeconds: 300, points: [{ timestampMs: Number.NaN, mean: 1, quantiles: { '0.9': 1 } }] } }, /^invalid_forecast: forecast point 0 has timestamp NaN/],
      ['NaN rate in the window', { predictedProduction: forecast([1, Number.NaN]) }, /^invalid_forecast: forecast point 1 q0\.9 is NaN/],
      ['negative rate in the window', { predictedProduction: forecast([-1]) }, /^invalid_forecast: forecast point 0/],
      ['the quantile missing', { quantile: 0.99 }, /^missing_quantile: forecast point 0 has no q0\.99/],
    ])('%s', (_name, overrides, expected) => {
      expect(reasonOf(state(overrides))).toMatch(expected);
    });

    it('ignores bad values outside the window (they are not used)', () => {
      expect(decideReplicas(state({ predictedProduction: forecast([1000, 1000, Number.NaN]) })).replicas).toBe(4);
    });
  });
});
