import fc from 'fast-check';
import { alignDown, alignUp, planChunks, planRun } from './chunk-windows';

const STEP = 300_000;
const DAY = 86_400_000;

describe('planChunks', () => {
  it('cuts 30 days at 5 min into windows of at most maxPoints evaluation timestamps, aligned to the step', () => {
    const now = 1_700_000_123_456;
    const windows = planChunks(now - 30 * DAY, now, STEP, 1000);
    expect(windows).toHaveLength(9);
    expect(windows.every((w) => w.points <= 1000 && w.startMs % STEP === 0 && w.endMs % STEP === 0)).toBe(true);
    expect(windows.reduce((n, w) => n + w.points, 0)).toBe(8640);
    expect(windows[0].startMs).toBe(alignUp(now - 30 * DAY, STEP));
    expect(windows[8].endMs).toBe(alignDown(now, STEP));
  });

  it('fits 30 days in one request under Prometheus\' 11,000-point limit', () => {
    expect(planChunks(0, 30 * DAY, STEP, 11_000)).toEqual([{ startMs: 0, endMs: 30 * DAY, points: 8641 }]);
  });

  it('is empty when the range holds no step-aligned timestamp, and one point when start = end', () => {
    expect(planChunks(1, STEP - 1, STEP, 10)).toEqual([]);
    expect(planChunks(STEP, STEP, STEP, 10)).toEqual([{ startMs: STEP, endMs: STEP, points: 1 }]);
  });

  it('refuses a step or point limit that is not a positive integer', () => {
    expect(() => planChunks(0, 1, 0, 10)).toThrow(RangeError);
    expect(() => planChunks(0, 1, STEP, 0)).toThrow(RangeError);
  });

  it('covers every aligned timestamp exactly once, contiguous, within the limit (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e13 }), fc.integer({ min: 0, max: 40 * DAY }), fc.integer({ min: 1, max: 3600 }).map((s) => s * 1000), fc.integer({ min: 1, max: 5000 }), (from, span, step, maxPoints) => {
        fc.pre(span / step < 50_000);
        const windows = planChunks(from, from + span, step, maxPoints);
        const expected = Math.max(0, Math.floor((from + span) / step) - Math.ceil(from / step) + 1);
        expect(windows.reduce((n, w) => n + w.points, 0)).toBe(expected);
        windows.forEach((w, i) => {
          expect(w.points).toBeLessThanOrEqual(maxPoints);
          expect(w.points).toBe((w.endMs - w.startMs) / step + 1);
          if (i > 0) expect(w.startMs).toBe(windows[i - 1].endMs + step);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('planRun', () => {
  const now = 100 * DAY + 123_456;
  it('fetches the whole lookback the first time', () => {
    expect(planRun({ nowMs: now, lookbackMs: 30 * DAY, stepMs: STEP })).toEqual({ fromMs: alignUp(now - 30 * DAY, STEP), toMs: alignDown(now, STEP) });
  });

  it('resumes right after what an earlier run published, never refetching it', () => {
    const done = alignDown(now - 10 * DAY, STEP);
    expect(planRun({ nowMs: now, lookbackMs: 30 * DAY, stepMs: STEP, doneUntilMs: done })).toEqual({ fromMs: done + STEP, toMs: alignDown(now, STEP) });
  });

  it('has nothing to do when earlier runs reached now, or the end is before the start', () => {
    expect(planRun({ nowMs: now, lookbackMs: 30 * DAY, stepMs: STEP, doneUntilMs: alignDown(now, STEP) })).toBeUndefined();
    expect(planRun({ nowMs: now, lookbackMs: 30 * DAY, stepMs: STEP, endMs: now - 31 * DAY })).toBeUndefined();
  });

  it('starts a workload\'s run after what the all-series run covered, and stops where its live samples began', () => {
    const covered = alignDown(now - 2 * DAY, STEP);
    expect(planRun({ nowMs: now, lookbackMs: 30 * DAY, stepMs: STEP, coveredUntilMs: covered, endMs: now - DAY })).toEqual({ fromMs: covered + STEP, toMs: alignDown(now - DAY, STEP) });
  });
});
