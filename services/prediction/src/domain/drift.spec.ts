import { binomialUpperTail, DriftMonitor, MIN_DRIFT_STEPS, refitDue } from './drift';

const STEP = 300_000;
const band = (fittedAtMs: number, steps = 288) => ({ fittedAtMs, startMs: 0, stepMs: STEP, lower: new Float64Array(steps).fill(1), upper: new Float64Array(steps).fill(2) });

describe('binomialUpperTail', () => {
  it('matches exact values', () => {
    expect(binomialUpperTail(0, 10, 0.2)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.2)).toBe(0);
    expect(binomialUpperTail(10, 10, 0.2)).toBeCloseTo(0.2 ** 10, 15);
    // P(X ≥ 1) = 1 − 0.8^5
    expect(binomialUpperTail(1, 5, 0.2)).toBeCloseTo(1 - 0.8 ** 5, 12);
  });
});

describe('DriftMonitor and refitDue', () => {
  it('asks for the first fit, then for a refit once the interval has passed', () => {
    expect(refitDue(undefined, 0, 3_600_000)).toBe('first');
    const monitor = new DriftMonitor(band(1_000));
    expect(refitDue(monitor, 1_000 + 3_599_999, 3_600_000)).toBeUndefined();
    expect(refitDue(monitor, 1_000 + 3_600_000, 3_600_000)).toBe('schedule');
  });

  it('declares drift when the newest steps leave the band far more often than a calibrated band would', () => {
    const monitor = new DriftMonitor(band(0));
    for (let i = 0; i < MIN_DRIFT_STEPS - 1; i++) monitor.score(i * STEP, 5);
    expect(monitor.drifted()).toBe(false); // too few steps yet
    monitor.score((MIN_DRIFT_STEPS - 1) * STEP, 5);
    expect(monitor.drifted()).toBe(true);
    expect(refitDue(monitor, 60_000, 3_600_000)).toBe('drift');
  });

  it('does not call drift on the 20 % of steps a calibrated band leaves outside', () => {
    const monitor = new DriftMonitor(band(0));
    for (let i = 0; i < 100; i++) monitor.score(i * STEP, i % 5 === 0 ? 3 : 1.5);
    expect(monitor.observed).toBe(100);
    expect(monitor.outside).toBe(20);
    expect(monitor.drifted()).toBe(false);
  });

  it('ignores gaps and steps beyond the band', () => {
    const monitor = new DriftMonitor(band(0, 3));
    monitor.score(0, Number.NaN);
    monitor.score(-STEP, 9);
    monitor.score(3 * STEP, 9);
    monitor.score(STEP, 9);
    expect([monitor.observed, monitor.outside]).toEqual([1, 1]);
  });
});
