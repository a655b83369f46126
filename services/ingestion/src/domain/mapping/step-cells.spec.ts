import { METRICS } from '@prescient/contracts';
import { MAPPING_METRICS } from './canonical-metrics';
import { AccumulatorId, Cell, applyPiece, finalizeStep, newCell, splitInterval } from './step-cells';

describe('splitInterval', () => {
  it.each([
    ['inside one step', 10, 20, [{ step: 0, fromMs: 10, toMs: 20 }]],
    ['across a boundary', 290, 310, [{ step: 0, fromMs: 290, toMs: 300 }, { step: 300, fromMs: 300, toMs: 310 }]],
    ['ending on a boundary', 280, 300, [{ step: 0, fromMs: 280, toMs: 300 }]],
    ['over two boundaries', 250, 650, [{ step: 0, fromMs: 250, toMs: 300 }, { step: 300, fromMs: 300, toMs: 600 }, { step: 600, fromMs: 600, toMs: 650 }]],
    ['empty', 50, 50, []],
  ])('%s', (_, from, to, expected) => {
    expect(splitInterval(from, to, 300)).toEqual(expected);
  });
});

describe('finalizeStep', () => {
  const cells = (entries: [AccumulatorId, (c: Cell) => void][]) => new Map(entries.map(([id, f]) => { const c = newCell(); f(c); return [id, c]; }));

  it('averages span sums over the observed span, not the whole step', () => {
    // 30 CPU-seconds observed over 60 s → 0.5 cores, though the step is 300 s long.
    const c = cells([['cpu', (x) => applyPiece(x, { step: 0, acc: 'cpu', op: 'span', value: 30, fromMs: 240_000, toMs: 300_000 })]]);
    expect(finalizeStep(c).outputs).toEqual([{ metric: METRICS.cpuUsageCores, value: 0.5 }]);
  });

  it('takes the larger of the two OOM counts, never their sum', () => {
    const c = cells([
      ['oomCadvisor', (x) => applyPiece(x, { step: 0, acc: 'oomCadvisor', op: 'count', value: 2 })],
      ['oomKsm', (x) => applyPiece(x, { step: 0, acc: 'oomKsm', op: 'count', value: 1 })],
    ]);
    expect(finalizeStep(c).outputs).toEqual([{ metric: MAPPING_METRICS.oomKills, value: 2 }]);
  });

  it('counts a node memory step with only one of MemTotal/MemAvailable as incomplete', () => {
    const c = cells([['nodeMemTotal', (x) => applyPiece(x, { step: 0, acc: 'nodeMemTotal', op: 'span', value: 16e9 * 30_000, fromMs: 0, toMs: 30_000 })]]);
    expect(finalizeStep(c)).toEqual({ outputs: [], incomplete: 1 });
  });
});
