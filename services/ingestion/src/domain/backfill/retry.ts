/**
 * When to try a query_range request again. 429 and 5xx are the server's "not now" (overload,
 * a timeout — Prometheus answers 503 for `timeout`/`canceled` and 422 for execution errors such as
 * too many samples); a network failure or our own timeout is the same. Any other 4xx will not
 * change by retrying: it fails the run at once, with the API's errorType and message.
 * The delay is exponential with full jitter (AWS Architecture Blog, "Exponential Backoff and
 * Jitter"), and never shorter than the server's Retry-After.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest Retry-After honoured; a longer one is cut to this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 300_000 };

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The delay before attempt `attempt + 1` (attempt counts from 1), or undefined when no attempt is
 * left. `random` is in [0, 1).
 */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: number, retryAfterMs?: number): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(random * ceiling);
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, policy.maxRetryAfterMs));
}
