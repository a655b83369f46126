import { decompose, movingAverage, seasonalAt, seasonalProfile } from './decompose';
import { medianProfile } from './hygiene';

function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const D = 48;

describe('multi-seasonal decomposition', () => {
  it('recovers a daily and a weekly profile (a weekend dip) and the adjusted level', () => {
    const W = 7 * D;
    const dayShape = (t: number) => 3 * Math.sin((2 * Math.PI * (t % D)) / D);
    const weekend = (t: number) => (Math.floor((t % W) / D) >= 5 ? -4 : 1.6); // sums to 0 over a week
    const g = gaussian(9);
    const y = Float64Array.from({ length: 6 * W }, (_, t) => 20 + dayShape(t) + weekend(t) + 0.1 * g());
    const d = decompose(y, [D, W], [7, 4], 0);
    let err = 0;
    for (let t = 5 * W; t < 6 * W; t += 1) err += Math.abs(seasonalAt(d, t) - (dayShape(t) + weekend(t)));
    expect(err / W).toBeLessThan(0.2);
    for (let t = 5 * W; t < 6 * W; t += 1) expect(Math.abs(d.adjusted[t]! - 20)).toBeLessThan(0.6);
  });

  it('profiles are centred, trimmed and phase-aligned to the absolute index', () => {
    const x = Float64Array.from({ length: 5 * 4 }, (_, t) => (t % 4 === 1 ? 8 : 0));
    x[1] = 1000; // one odd cycle: trimmed away
    const p = seasonalProfile(x, 4, 5, 0);
    expect(p[1]).toBeCloseTo(6, 12);
    expect(p[0]).toBeCloseTo(-2, 12);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    expect(Array.from(medianProfile(x, 4, 5))).toEqual([0, 8, 0, 0]);
    expect(Array.from(movingAverage([1, 2, 3, 4, 5], 3))).toEqual([1.5, 2, 3, 4, 4.5]);
  });
});
