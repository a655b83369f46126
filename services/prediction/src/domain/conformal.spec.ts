import { bandOffset, calibrate } from './conformal';

function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const H = 288;
/** Errors that grow with the lead and are larger in the "afternoon" (leads 150–200). */
const scaleAt = (h: number) => (1 + h / 100) * (h >= 150 && h < 200 ? 3 : 1);

function draw(origins: number, seed: number): Float64Array[] {
  const g = gaussian(seed);
  return Array.from({ length: origins }, () => Float64Array.from({ length: H }, (_, h) => scaleAt(h) * g()));
}

describe('conformal calibration from backtest residuals', () => {
  it('covers fresh errors near the nominal rate at each quantile', () => {
    const cal = calibrate(draw(4, 1), H, 6, H)!;
    const test = draw(40, 2);
    for (const [q, nominal] of [
      [0.1, 0.1],
      [0.5, 0.5],
      [0.9, 0.9],
      [0.95, 0.95],
    ] as const) {
      let below = 0;
      for (const r of test) for (let h = 0; h < H; h += 1) if (r[h]! <= bandOffset(cal, h, q)) below += 1;
      expect(Math.abs(below / (40 * H) - nominal)).toBeLessThan(0.04);
    }
  });

  it('follows the error scale per horizon step (wider late and in the noisy hours)', () => {
    const cal = calibrate(draw(4, 3), H, 6, H)!;
    const width = (h: number) => bandOffset(cal, h, 0.9) - bandOffset(cal, h, 0.1);
    expect(width(280) / width(10)).toBeGreaterThan(2);
    expect(width(175) / width(120)).toBeGreaterThan(2);
  });

  it('extends past the backtested leads, phase-aligned and growing like the square root', () => {
    const cal = calibrate(draw(4, 4), 3 * H, 6, H)!;
    expect(cal.sigma).toHaveLength(3 * H);
    expect(cal.sigma[2 * H + 175]! / cal.sigma[2 * H + 120]!).toBeGreaterThan(2);
    expect(cal.sigma[3 * H - 1]! > cal.sigma[H - 1]!).toBe(true);
  });

  it('skips gaps and gives nothing without residuals', () => {
    const r = draw(3, 5);
    r[0]![10] = Number.NaN;
    expect(calibrate(r, H, 6, H)!.z.every(Number.isFinite)).toBe(true);
    expect(calibrate([], H, 6, H)).toBeUndefined();
    expect(calibrate([new Float64Array(H).fill(Number.NaN)], H, 6, H)).toBeUndefined();
  });
});
