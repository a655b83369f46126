import { nelderMead, toBounded, toUnbounded } from './optimize';

describe('nelderMead', () => {
  it('finds the minimum of a shifted quadratic and of Rosenbrock', () => {
    const q = nelderMead((x) => (x[0]! - 3) ** 2 + 2 * (x[1]! + 1) ** 2, [0, 0], 1, 400, 1e-12);
    expect(q.x[0]).toBeCloseTo(3, 3);
    expect(q.x[1]).toBeCloseTo(-1, 3);
    const r = nelderMead((x) => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2, [-1.2, 1], 0.5, 2000, 1e-14);
    expect(r.x[0]).toBeCloseTo(1, 2);
  });

  it('treats a non-finite objective as +Infinity and walks away from it', () => {
    const m = nelderMead((x) => (x[0]! < 0 ? Number.NaN : (x[0]! - 2) ** 2), [1], 1, 200, 1e-12);
    expect(m.x[0]).toBeCloseTo(2, 3);
  });

  it('maps bounded parameters both ways', () => {
    expect(toBounded(toUnbounded(0.7, 0.5, 1), 0.5, 1)).toBeCloseTo(0.7, 12);
    expect(toBounded(-1e6, 0, 1)).toBeGreaterThanOrEqual(0);
  });
});
