import { BoundedLru } from './bounded-lru';

/**
 * The previous sample of every series the mapper integrates, keyed by the series' hash. Counters
 * become increases between consecutive samples with Prometheus' reset rule (promql/functions.go,
 * extrapolatedRate: a value lower than the previous one means the counter restarted from 0, so the
 * increase across the drop is the new value itself). Gauges become "value held since the previous
 * sample" intervals, which is how PromQL reads a gauge between samples.
 *
 * An interval longer than `maxGapMs` is not used (the series was absent — scrape failures, a
 * restarted exporter — and Prometheus' own lookback would not bridge it either): the new sample
 * starts over as a baseline. Bounded by `maxSeries` (approximate LRU); an evicted series loses one interval.
 */
export interface SeriesStateOptions {
  maxSeries: number;
  maxGapMs: number;
}

export type CounterObservation =
  | { status: 'out_of_order' }
  | { status: 'baseline' }
  | { status: 'interval'; fromMs: number; toMs: number; increase: number; reset: boolean };

export type GaugeObservation = { status: 'out_of_order' } | { status: 'baseline' } | { status: 'interval'; fromMs: number; toMs: number; value: number };

interface Point {
  tsMs: number;
  value: number;
}

export class SeriesStates {
  private readonly points: BoundedLru<string, Point>;

  constructor(private readonly options: SeriesStateOptions) {
    this.points = new BoundedLru(options.maxSeries);
  }

  get size(): number {
    return this.points.size;
  }

  counter(key: string, tsMs: number, value: number): CounterObservation {
    const point = this.points.get(key);
    if (!point) {
      this.points.set(key, { tsMs, value });
      return { status: 'baseline' };
    }
    if (tsMs <= point.tsMs) return { status: 'out_of_order' };
    const prevTs = point.tsMs;
    const prevValue = point.value;
    point.tsMs = tsMs;
    point.value = value;
    if (tsMs - prevTs > this.options.maxGapMs) return { status: 'baseline' };
    const reset = value < prevValue;
    return { status: 'interval', fromMs: prevTs, toMs: tsMs, increase: reset ? Math.max(value, 0) : value - prevValue, reset };
  }

  gauge(key: string, tsMs: number, value: number): GaugeObservation {
    const point = this.points.get(key);
    if (!point) {
      this.points.set(key, { tsMs, value });
      return { status: 'baseline' };
    }
    if (tsMs <= point.tsMs) return { status: 'out_of_order' };
    const prevTs = point.tsMs;
    const prevValue = point.value;
    point.tsMs = tsMs;
    point.value = value;
    if (tsMs - prevTs > this.options.maxGapMs) return { status: 'baseline' };
    return { status: 'interval', fromMs: prevTs, toMs: tsMs, value: prevValue };
  }

  /**
   * A stale marker: the series ended at `tsMs`. Forgets it; for a gauge, returns the last value's
   * interval up to the marker (so a deleted pod's last sample still counts).
   */
  end(key: string, tsMs: number): { fromMs: number; toMs: number; value: number } | undefined {
    const prev = this.points.peek(key);
    if (!prev || tsMs <= prev.tsMs) return undefined;
    this.points.delete(key);
    return tsMs - prev.tsMs > this.options.maxGapMs ? undefined : { fromMs: prev.tsMs, toMs: tsMs, value: prev.value };
  }

  /** Forgets series whose last sample is older than the gap: their next sample is a baseline anyway. */
  expire(nowMs: number): void {
    for (const [k, p] of this.points.entries()) if (nowMs - p.tsMs > this.options.maxGapMs) this.points.delete(k);
  }
}
