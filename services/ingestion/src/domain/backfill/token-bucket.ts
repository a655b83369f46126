/**
 * A token bucket as a value: `reserve` takes a token now or reserves the next one and says how long
 * to wait for it, so concurrent callers queue in order and the rate holds (at most `ratePerSecond`
 * on average, `burst` at once).
 */
export interface TokenBucket {
  tokens: number;
  updatedMs: number;
}

export function fullBucket(burst: number, nowMs: number): TokenBucket {
  return { tokens: burst, updatedMs: nowMs };
}

export function reserve(bucket: TokenBucket, nowMs: number, ratePerSecond: number, burst: number): { bucket: TokenBucket; waitMs: number } {
  const elapsed = Math.max(0, nowMs - bucket.updatedMs);
  const refilled = Math.min(burst, bucket.tokens + (elapsed * ratePerSecond) / 1000);
  const tokens = refilled - 1;
  const waitMs = tokens >= 0 ? 0 : Math.ceil((-tokens * 1000) / ratePerSecond);
  return { bucket: { tokens, updatedMs: Math.max(nowMs, bucket.updatedMs) }, waitMs };
}
