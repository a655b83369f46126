/**
 * Prometheus' histogram_quantile (promql/quantile.go, bucketQuantile, 2.x): the φ-quantile of
 * cumulative buckets, interpolated linearly within the bucket it falls into.
 * - q < 0 → -Inf, q > 1 → +Inf, q NaN → NaN;
 * - buckets are sorted by upper bound and buckets with the same bound are summed (coalesceBuckets);
 * - the highest bucket must be +Inf, else NaN; fewer than 2 buckets → NaN; no observations → NaN;
 * - counts are forced monotonic (a lower count after a higher one takes the higher one), as
 *   ensureMonotonic does for buckets scraped at slightly different moments;
 * - a quantile in the +Inf bucket returns the second-highest bound; a quantile in the lowest bucket
 *   interpolates from 0, unless that bucket's bound is ≤ 0, which is then returned as it is.
 */

export interface Bucket {
  upperBound: number;
  /** Cumulative count of observations ≤ upperBound (for a rate, the increase of that count). */
  count: number;
}

export function histogramQuantile(q: number, input: readonly Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (input.length === 0) return Number.NaN;
  const sorted = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if (sorted[sorted.length - 1].upperBound !== Infinity) return Number.NaN;
  const buckets = coalesce(sorted);
  ensureMonotonic(buckets);
  if (buckets.length < 2) return Number.NaN;
  const observations = buckets[buckets.length - 1].count;
  if (observations === 0 || Number.isNaN(observations)) return Number.NaN;
  let rank = q * observations;
  // sort.Search over all but the last bucket: the first whose count reaches the rank.
  let b = buckets.length - 1;
  for (let i = 0; i < buckets.length - 1; i++) {
    if (buckets[i].count >= rank) {
      b = i;
      break;
    }
  }
  if (b === buckets.length - 1) return buckets[buckets.length - 2].upperBound;
  if (b === 0 && buckets[0].upperBound <= 0) return buckets[0].upperBound;
  let bucketStart = 0;
  const bucketEnd = buckets[b].upperBound;
  let count = buckets[b].count;
  if (b > 0) {
    bucketStart = buckets[b - 1].upperBound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

function coalesce(sorted: readonly Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  for (const bucket of sorted) {
    const last = out[out.length - 1];
    if (last && last.upperBound === bucket.upperBound) last.count += bucket.count;
    else out.push({ upperBound: bucket.upperBound, count: bucket.count });
  }
  return out;
}

function ensureMonotonic(buckets: Bucket[]): void {
  let max = -Infinity;
  for (const bucket of buckets) {
    if (bucket.count > max) max = bucket.count;
    else if (bucket.count < max) bucket.count = max;
  }
}
