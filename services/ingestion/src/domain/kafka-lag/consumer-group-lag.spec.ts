import { groupLag, GroupSnapshot } from './consumer-group-lag';

const snap = (atMs: number, partitions: [string, number, number, number][]): GroupSnapshot => ({
  groupId: 'billing',
  atMs,
  partitions: partitions.map(([topic, partition, committed, logEnd]) => ({ topic, partition, committed, logEnd })),
});

describe('groupLag', () => {
  it('sums lag over partitions and says rates need a second snapshot', () => {
    const r = groupLag(snap(0, [['t', 0, 90, 100], ['t', 1, 50, 50]]));
    expect(r).toMatchObject({ lag: 10, partitions: 2 });
    expect(r.productionRate).toBeUndefined();
    expect(r.notes).toContain('first snapshot: rates need a second one');
  });

  it('derives production, consumption and queue latency from two snapshots', () => {
    const r = groupLag(snap(10_000, [['t', 0, 150, 300], ['t', 1, 100, 100]]), snap(0, [['t', 0, 100, 100], ['t', 1, 50, 50]]));
    // 250 written in 10 s; 100 committed in 10 s; lag 150 at 10 msg/s → 15 s.
    expect(r).toMatchObject({ lag: 150, productionRate: 25, consumptionRate: 10, queueLatencySeconds: 15 });
  });

  it('leaves partitions that moved backwards out of the rates and says so', () => {
    const r = groupLag(snap(10_000, [['t', 0, 5, 10], ['t', 1, 200, 300]]), snap(0, [['t', 0, 100, 200], ['t', 1, 100, 200]]));
    expect(r.productionRate).toBe(10);
    expect(r.consumptionRate).toBe(10);
    expect(r.notes.some((n) => n.includes('moved backwards'))).toBe(true);
  });

  it('does not count partitions the group never committed, and reports no latency for lag without consumption', () => {
    const r = groupLag(snap(10_000, [['t', 0, -1, 500], ['t', 1, 10, 60]]), snap(0, [['t', 0, -1, 0], ['t', 1, 10, 20]]));
    expect(r.lag).toBe(50);
    expect(r.consumptionRate).toBe(0);
    expect(r.queueLatencySeconds).toBeUndefined();
    expect(r.notes.join(' ')).toMatch(/without a committed offset.*unbounded/s);
  });

  it('gives no rates when no time has passed', () => {
    const s = snap(5, [['t', 0, 1, 2]]);
    expect(groupLag(s, s).productionRate).toBeUndefined();
  });
});
