import fc from 'fast-check';
import { counterIncrease, counterIncreases, CounterPoint } from './counter-rate';

describe('counter increase and rate', () => {
  it('is the difference over the elapsed seconds', () => {
    expect(counterIncrease({ value: 100, timestampMs: 0 }, { value: 160, timestampMs: 30_000 })).toEqual({ increase: 60, seconds: 30, rate: 2, reset: false });
  });

  it('treats a drop as a restart from 0: the increase is the new value (as rate() does)', () => {
    expect(counterIncrease({ value: 1000, timestampMs: 0 }, { value: 30, timestampMs: 10_000 })).toEqual({ increase: 30, seconds: 10, rate: 3, reset: true });
    expect(counterIncrease({ value: 5, timestampMs: 0 }, { value: 0, timestampMs: 10_000 })).toEqual({ increase: 0, seconds: 10, rate: 0, reset: true });
  });

  it('sees a reset through a changed OpenMetrics _created even when the value went up', () => {
    const inc = counterIncrease({ value: 10, timestampMs: 0, createdMs: 1000 }, { value: 50, timestampMs: 60_000, createdMs: 30_000 });
    expect(inc).toEqual({ increase: 50, seconds: 60, rate: 50 / 60, reset: true });
  });

  it('gives nothing without a previous point, for non-finite values, or when time does not move forward', () => {
    expect(counterIncrease(undefined, { value: 1, timestampMs: 0 })).toBeUndefined();
    expect(counterIncrease({ value: 1, timestampMs: 0 }, { value: Number.NaN, timestampMs: 1000 })).toBeUndefined();
    expect(counterIncrease({ value: 1, timestampMs: 1000 }, { value: 2, timestampMs: 1000 })).toBeUndefined();
    expect(counterIncrease({ value: 1, timestampMs: 2000 }, { value: 2, timestampMs: 1000 })).toBeUndefined();
  });

  it('threads state through scrapes: forgets series that vanish, keeps the older point for stale or NaN ones', () => {
    const first = counterIncreases(new Map(), [{ key: 'a', point: { value: 10, timestampMs: 0 } }, { key: 'b', point: { value: 1, timestampMs: 0 } }]);
    expect(first.increases.size).toBe(0);
    const second = counterIncreases(first.next, [
      { key: 'a', point: { value: 25, timestampMs: 15_000 } },
      { key: 'c', point: { value: 7, timestampMs: 15_000 } },
    ]);
    expect(second.increases.get('a')).toMatchObject({ increase: 15, rate: 1 });
    expect([...second.next.keys()]).toEqual(['a', 'c']);
    const third = counterIncreases(second.next, [{ key: 'a', point: { value: Number.NaN, timestampMs: 30_000 } }, { key: 'c', point: { value: 9, timestampMs: 15_000 } }]);
    expect(third.increases.size).toBe(0);
    expect(third.next.get('a')).toEqual({ value: 25, timestampMs: 15_000 });
    expect(third.next.get('c')).toEqual({ value: 7, timestampMs: 15_000 });
  });

  it('sums to the true total increase of a counter that restarts at random (property)', () => {
    // A true counter: non-negative increments, occasionally restarting from 0 and counting the increment.
    const steps = fc.array(fc.record({ inc: fc.integer({ min: 0, max: 1000 }), restart: fc.boolean() }), { minLength: 1, maxLength: 50 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), steps, (start, seq) => {
        let state = new Map<string, CounterPoint>([['x', { value: start, timestampMs: 0 }]]);
        let value = start;
        let trueTotal = 0;
        let measured = 0;
        seq.forEach((step, i) => {
          // A restart loses what was counted before; only the increment after it is seen (and counted).
          // A restart is only detectable when the new value is below the old one (otherwise it looks like growth).
          const restarted = step.restart && step.inc < value;
          value = restarted ? step.inc : value + step.inc;
          trueTotal += step.inc;
          const out = counterIncreases(state, [{ key: 'x', point: { value, timestampMs: (i + 1) * 1000 } }]);
          measured += out.increases.get('x')!.increase;
          state = out.next;
        });
        expect(measured).toBe(trueTotal);
      }),
      { numRuns: 300 },
    );
  });
});
