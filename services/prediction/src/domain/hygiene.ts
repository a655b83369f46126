// Data hygiene before fitting: gaps filled, level shifts detected (so the new level wins at once) and
// outliers clipped. Pure functions on plain arrays; `prepare` runs them in order.

/** Values beyond this magnitude are treated as gaps: their differences could overflow. */
export const MAX_ABS_VALUE = 1e100;

export function isUsable(v: number): boolean {
  return Number.isFinite(v) && Math.abs(v) <= MAX_ABS_VALUE;
}

/**
 * Fills gaps (NaN, ±Infinity, absurd values): a gap of at most `maxLinear` steps between two observed
 * values is interpolated linearly; a longer one takes the value one `season` back when that exists (so a
 * missing night looks like last night), else the last observed value. Leading gaps take the first
 * observed value. Returns the filled copy and the mask of filled steps.
 */
export function fillGaps(values: ArrayLike<number>, season: number, maxLinear: number): { values: Float64Array; filled: Uint8Array; count: number } {
  const n = values.length;
  const out = new Float64Array(n);
  const filled = new Uint8Array(n);
  let count = 0;
  let firstValid = -1;
  for (let i = 0; i < n; i += 1) {
    if (isUsable(values[i]!)) {
      firstValid = i;
      break;
    }
  }
  if (firstValid < 0) return { values: out, filled: filled.fill(1), count: n };
  let t = 0;
  while (t < n) {
    const v = values[t]!;
    if (isUsable(v)) {
      out[t] = v;
      t += 1;
      continue;
    }
    let end = t;
    while (end < n && !isUsable(values[end]!)) end += 1;
    const len = end - t;
    const before = t > 0 ? out[t - 1]! : values[firstValid]!;
    const hasAfter = end < n;
    for (let k = t; k < end; k += 1) {
      filled[k] = 1;
      count += 1;
      if (t === 0) out[k] = values[firstValid]!;
      else if (hasAfter && len <= maxLinear) out[k] = before + ((values[end]! - before) * (k - t + 1)) / (len + 1);
      else out[k] = k >= season ? out[k - season]! : before;
    }
    t = end;
  }
  return { values: out, filled, count };
}

/** Median of a scratch buffer, sorting it in place (no copy). */
function medianInPlace(xs: Float64Array): number {
  const n = xs.length;
  if (n === 0) return 0;
  xs.sort();
  return n % 2 === 1 ? xs[(n - 1) / 2]! : (xs[n / 2 - 1]! + xs[n / 2]!) / 2;
}

function median(xs: Float64Array | number[]): number {
  const n = xs.length;
  if (n === 0) return 0;
  const s = Float64Array.from(xs).sort();
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** A sorted multiset of numbers in a fixed buffer, for running medians. */
class SortedBuffer {
  private readonly data: Float64Array;
  private size = 0;

  constructor(capacity: number) {
    this.data = new Float64Array(Math.max(1, capacity));
  }

  insert(v: number): void {
    let i = this.size;
    while (i > 0 && this.data[i - 1]! > v) {
      this.data[i] = this.data[i - 1]!;
      i -= 1;
    }
    this.data[i] = v;
    this.size += 1;
  }

  remove(v: number): void {
    let i = 0;
    while (i < this.size && this.data[i] !== v) i += 1;
    if (i === this.size) return;
    this.data.copyWithin(i, i + 1, this.size);
    this.size -= 1;
  }

  median(): number {
    const n = this.size;
    if (n === 0) return 0;
    return n % 2 === 1 ? this.data[(n - 1) / 2]! : (this.data[n / 2 - 1]! + this.data[n / 2]!) / 2;
  }
}

/** Per-phase median of `y` over its last `cycles` full periods, as a profile of length `period`. */
export function medianProfile(y: ArrayLike<number>, period: number, cycles: number): Float64Array {
  const n = y.length;
  const k = Math.max(1, Math.min(cycles, Math.floor(n / period)));
  const out = new Float64Array(period);
  const buf = new Float64Array(k);
  for (let p = 0; p < period; p += 1) {
    // Phase p is the one of index t with t mod period = p (absolute phase, so forecasts line up).
    let c = 0;
    for (let t = n - 1 - ((n - 1 - p) % period + period) % period; t >= 0 && c < k; t -= period) buf[c++] = y[t]!;
    out[p] = medianInPlace(buf.subarray(0, c));
  }
  return out;
}

export interface LevelShift {
  /** First index of the new level. */
  index: number;
  /** Shift applied to the history before `index`: additive delta or multiplicative ratio. */
  kind: 'additive' | 'multiplicative';
  amount: number;
}

/**
 * Finds the latest sustained change of level: the deseasonalised series (minus its per-phase median over
 * the last week) is cut into blocks of `block` steps (their medians); a split is a shift when the median
 * of the blocks after it differs from the median of the `lookback` blocks before it by more than
 * `threshold` robust noise units, the new segment lasts at least `minAfter` blocks, and at least 80 % of
 * its blocks sit on the new side of the midpoint. Returns undefined when there is none.
 */
export function detectLevelShift(y: Float64Array, period: number, options: { block: number; minAfter: number; lookback: number; threshold: number }): LevelShift | undefined {
  const { block, minAfter, lookback, threshold } = options;
  const n = y.length;
  const blocks = Math.floor(n / block);
  if (blocks < minAfter + 4) return undefined;
  const profile = medianProfile(y, period, 7);
  const offset = n - blocks * block; // align blocks to the end: the newest block is complete
  const u = new Float64Array(blocks);
  const tmp = new Float64Array(block);
  for (let j = 0; j < blocks; j += 1) {
    for (let k = 0; k < block; k += 1) {
      const t = offset + j * block + k;
      tmp[k] = y[t]! - profile[t % period]!;
    }
    u[j] = medianInPlace(tmp);
  }
  const diffs = new Float64Array(blocks - 1);
  for (let j = 1; j < blocks; j += 1) diffs[j - 1] = Math.abs(u[j]! - u[j - 1]!);
  const noise = (medianInPlace(diffs) * 1.4826) / Math.SQRT2 + 1e-12;
  let best: { j: number; stat: number; before: number; after: number } | undefined;
  // Running medians (sorted buffers updated in place, so the scan allocates nothing per split): the
  // suffix u[j..] grows and the window u[j − lookback, j) slides as j moves back.
  const suffix = new SortedBuffer(blocks);
  for (let k = blocks - minAfter; k < blocks; k += 1) suffix.insert(u[k]!);
  const window = new SortedBuffer(lookback);
  const first = blocks - minAfter;
  for (let k = Math.max(0, first - lookback); k < first; k += 1) window.insert(u[k]!);
  for (let j = first; j >= Math.max(4, 1); j -= 1) {
    if (j < first) {
      suffix.insert(u[j]!);
      window.remove(u[j]!);
      if (j - lookback >= 0) window.insert(u[j - lookback]!);
    }
    const after = suffix.median();
    const before = window.median();
    const stat = Math.abs(after - before) / noise;
    if (stat < threshold) continue;
    const mid = (after + before) / 2;
    let onSide = 0;
    for (let k = j; k < blocks; k += 1) if ((u[k]! - mid) * (after - before) > 0) onSide += 1;
    if (onSide < 0.8 * (blocks - j)) continue;
    let beforeSide = 0;
    const from = Math.max(0, j - lookback);
    for (let k = from; k < j; k += 1) if ((u[k]! - mid) * (after - before) < 0) beforeSide += 1;
    if (beforeSide < 0.8 * (j - from)) continue;
    if (best === undefined || stat > best.stat) best = { j, stat, before, after };
  }
  if (best === undefined) return undefined;
  // Refine to the step: the split that best fits two constant levels (least squares on the
  // deseasonalised steps from `lookback` blocks before to the end), searched from half the lookback
  // before the block found (a later block often scores as well) to two blocks after it.
  const from = offset + Math.max(0, best.j - lookback) * block;
  const prefix = new Float64Array(n - from + 1);
  const prefix2 = new Float64Array(n - from + 1);
  for (let t = from; t < n; t += 1) {
    const v = y[t]! - profile[t % period]!;
    prefix[t - from + 1] = prefix[t - from]! + v;
    prefix2[t - from + 1] = prefix2[t - from]! + v * v;
  }
  const sse = (a: number, b: number): number => {
    const k = b - a;
    const sum = prefix[b - from]! - prefix[a - from]!;
    return prefix2[b - from]! - prefix2[a - from]! - (sum * sum) / k;
  };
  let index = offset + best.j * block;
  let bestSse = Infinity;
  const latest = Math.min(n - minAfter * block, index + 2 * block);
  for (let split = Math.max(from + block, index - (lookback >> 1) * block); split <= latest; split += 1) {
    const v = sse(from, split) + sse(split, n);
    if (v < bestSse) {
      bestSse = v;
      index = split;
    }
  }
  // Additive or multiplicative: whichever maps the profile before the shift onto the steps after it
  // better (a multiplicative shift also scales the daily swing); multiplicative needs a positive series
  // and a clear win.
  let positive = true;
  for (let t = 0; t < n; t += 1) if (!(y[t]! > 0)) positive = false;
  const before = medianProfile(y.subarray(0, index), period, 7);
  const post = n - index;
  const diffs2 = new Float64Array(post);
  const ratios = new Float64Array(post);
  for (let t = index; t < n; t += 1) {
    const p = before[t % period]!;
    diffs2[t - index] = y[t]! - p;
    ratios[t - index] = p > 0 ? y[t]! / p : 1;
  }
  const delta = medianInPlace(diffs2);
  const ratio = medianInPlace(ratios);
  let sseAdd = 0;
  let sseMul = 0;
  for (let t = index; t < n; t += 1) {
    const p = before[t % period]!;
    sseAdd += (y[t]! - p - delta) ** 2;
    sseMul += (y[t]! - p * ratio) ** 2;
  }
  if (positive && ratio > 0 && sseMul < 0.8 * sseAdd) return { index, kind: 'multiplicative', amount: ratio };
  return { index, kind: 'additive', amount: delta };
}

/** Moves the history before the shift onto the new level (in place). */
export function applyLevelShift(y: Float64Array, shift: LevelShift): void {
  for (let t = 0; t < shift.index; t += 1) y[t] = shift.kind === 'additive' ? y[t]! + shift.amount : y[t]! * shift.amount;
}

/**
 * Clips outliers in place: a value further than `k` robust standard deviations from the per-phase
 * median profile (plus the local level) is pulled back to that bound. The newest `protect` steps are left
 * alone (a burst there may be the start of new behaviour). Returns how many values were clipped.
 */
export function clipOutliers(y: Float64Array, period: number, k: number, protect: number): number {
  const n = y.length;
  if (n < 2 * period) return 0;
  const profile = medianProfile(y, period, 7);
  const resid = new Float64Array(n);
  for (let t = 0; t < n; t += 1) resid[t] = y[t]! - profile[t % period]!;
  // The local level: a running median would be costly; a day-block median is enough for a bound.
  const level = new Float64Array(n);
  for (let start = 0; start < n; start += period) {
    const end = Math.min(n, start + period);
    const m = median(resid.subarray(start, end));
    for (let t = start; t < end; t += 1) level[t] = m;
  }
  const dev = new Float64Array(n);
  for (let t = 0; t < n; t += 1) dev[t] = Math.abs(resid[t]! - level[t]!);
  const scale = medianInPlace(dev) * 1.4826;
  if (!(scale > 0)) return 0;
  let clipped = 0;
  for (let t = 0; t < n - protect; t += 1) {
    const center = profile[t % period]! + level[t]!;
    const hi = center + k * scale;
    const lo = center - k * scale;
    if (y[t]! > hi) {
      y[t] = hi;
      clipped += 1;
    } else if (y[t]! < lo) {
      y[t] = lo;
      clipped += 1;
    }
  }
  return clipped;
}
