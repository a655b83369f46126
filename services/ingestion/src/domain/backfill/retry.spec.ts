import { DEFAULT_RETRY_POLICY, isRetryableStatus, parseRetryAfter, retryDelayMs } from './retry';
import { fullBucket, reserve } from './token-bucket';

describe('retries', () => {
  it('retries 429 and 5xx, not other 4xx', () => {
    expect([429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 422].some(isRetryableStatus)).toBe(false);
  });

  it('backs off exponentially with full jitter, up to the cap, and gives up after maxAttempts', () => {
    const p = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250, maxRetryAfterMs: 1000 };
    expect(retryDelayMs(p, 1, 0.999)).toBe(99);
    expect(retryDelayMs(p, 2, 0.999)).toBe(199);
    expect(retryDelayMs(p, 3, 0.999)).toBe(249);
    expect(retryDelayMs(p, 3, 0)).toBe(0);
    expect(retryDelayMs(p, 4, 0.5)).toBeUndefined();
  });

  it('waits at least Retry-After, cut to maxRetryAfterMs', () => {
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, 0, 7000)).toBe(7000);
    expect(retryDelayMs(DEFAULT_RETRY_POLICY, 1, 0, 3_600_000)).toBe(DEFAULT_RETRY_POLICY.maxRetryAfterMs);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('token bucket', () => {
  it('lets a burst through, then spaces requests at the rate, queuing reservations in order', () => {
    let bucket = fullBucket(2, 0);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = reserve(bucket, 0, 4, 2);
      bucket = r.bucket;
      waits.push(r.waitMs);
    }
    expect(waits).toEqual([0, 0, 250, 500, 750]);
    // After a quiet second the bucket is full again (at most `burst`).
    const later = reserve(bucket, 10_000, 4, 2);
    expect(later.waitMs).toBe(0);
    expect(later.bucket.tokens).toBe(1);
  });
});
