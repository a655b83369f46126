/**
 * A token bucket of `burst` samples refilled at `rate` samples per second. Over any interval of t
 * seconds it grants at most burst + rate × t samples. Time only moves forward: an earlier `nowMs`
 * than one already seen refills nothing.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs = -Infinity;

  constructor(
    private rate: number,
    private burst: number,
  ) {
    this.tokens = burst;
  }

  /** Tokens available at `nowMs` (after refilling). */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  /** Takes `count` tokens if that many are available; all or nothing. */
  take(count: number, nowMs: number): boolean {
    this.refill(nowMs);
    if (count > this.tokens) return false;
    this.tokens -= count;
    return true;
  }

  /** Seconds (at least 1) until `count` tokens are available, or Infinity if `count` exceeds the burst. */
  secondsUntil(count: number, nowMs: number): number {
    this.refill(nowMs);
    if (count > this.burst) return Infinity;
    return Math.max(1, Math.ceil((count - this.tokens) / this.rate));
  }

  /** New rate and burst; the tokens held are capped at the new burst. */
  configure(rate: number, burst: number): void {
    this.rate = rate;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }

  private refill(nowMs: number): void {
    if (this.lastMs === -Infinity) {
      this.lastMs = nowMs;
      return;
    }
    if (nowMs <= this.lastMs) return;
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.lastMs) / 1000) * this.rate);
    this.lastMs = nowMs;
  }
}
