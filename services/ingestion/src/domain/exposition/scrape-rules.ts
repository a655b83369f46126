import { SCRAPE_METRICS } from './canonical-metrics';
import { CounterPoint, counterIncreases, CounterObservation, CounterIncrease } from './counter-rate';
import { Bucket, histogramQuantile } from './histogram-quantile';
import { ExposedSample, Exposition, parseFloatToken, seriesKey } from './parse-exposition';

/**
 * What a scraped exposition means in canonical metrics: a rule per canonical metric says which
 * exposed series it comes from and how (a gauge as it is, a counter as a per-second rate, a
 * histogram as a quantile of what was observed since the previous scrape, a ratio of two gauges),
 * then `value × scale + offset` (a percentage 0–100 → ratio with scale 0.01; `1 − idle` with scale
 * −1, offset 1). Pure: counter state comes in and goes out.
 */

export type Aggregation = 'sum' | 'avg' | 'min' | 'max';

/** A sample name and label values it must have (equality matchers). */
export interface SeriesSelector {
  name: string;
  labels?: Readonly<Record<string, string>>;
}

interface Transform {
  scale?: number;
  offset?: number;
}

export type ScrapeRule =
  /** The exposed value, aggregated over the matching series (default avg). */
  | ({ metric: string; kind: 'gauge'; series: SeriesSelector; aggregate?: Aggregation } & Transform)
  /** The per-second rate of a counter since the previous scrape, reset-aware, aggregated over series (default sum). */
  | ({ metric: string; kind: 'counter_rate'; series: SeriesSelector; aggregate?: Aggregation } & Transform)
  /**
   * histogram_quantile(q, sum by (le) (increase(<name>_bucket))) over the last scrape interval; for a
   * summary (no `_bucket`s), the exposed `{quantile="q"}` series when there is exactly one.
   */
  | ({ metric: string; kind: 'histogram_quantile'; histogram: SeriesSelector; quantile: number } & Transform)
  /** sum(numerator) ÷ sum(denominator), both gauges. */
  | ({ metric: string; kind: 'ratio'; numerator: SeriesSelector; denominator: SeriesSelector } & Transform);

export interface ScrapeState {
  counters: ReadonlyMap<string, CounterPoint>;
}

export const EMPTY_SCRAPE_STATE: ScrapeState = { counters: new Map() };

export type SkipReason = 'no_series' | 'needs_two_scrapes' | 'no_observations' | 'not_finite' | 'zero_denominator' | 'summary_not_aggregatable';

export interface ScrapeEvaluation {
  values: { metric: string; value: number }[];
  skipped: { metric: string; reason: SkipReason }[];
  state: ScrapeState;
}

/** The serving-endpoint export of seed 004 (Databricks model serving `/metrics`, Prometheus/OpenMetrics text). */
const SERVING_ENDPOINT: ScrapeRule[] = [
  { metric: SCRAPE_METRICS.requestRate, kind: 'counter_rate', series: { name: 'request_count_total' } },
  { metric: SCRAPE_METRICS.errorRate4xx, kind: 'counter_rate', series: { name: 'request_4xx_count_total' } },
  { metric: SCRAPE_METRICS.errorRate5xx, kind: 'counter_rate', series: { name: 'request_5xx_count_total' } },
  { metric: SCRAPE_METRICS.latencyP50Seconds, kind: 'histogram_quantile', histogram: { name: 'request_latency_ms' }, quantile: 0.5, scale: 0.001 },
  { metric: SCRAPE_METRICS.latencyP99Seconds, kind: 'histogram_quantile', histogram: { name: 'request_latency_ms' }, quantile: 0.99, scale: 0.001 },
  { metric: SCRAPE_METRICS.cpuUtilisationRatio, kind: 'gauge', series: { name: 'cpu_usage_percentage' }, aggregate: 'avg', scale: 0.01 },
  { metric: SCRAPE_METRICS.memoryUtilisationRatio, kind: 'gauge', series: { name: 'mem_usage_percentage' }, aggregate: 'avg', scale: 0.01 },
  // One series per GPU (`gpu="gpu0"` …): the endpoint's average over its GPUs.
  { metric: SCRAPE_METRICS.gpuUtilisationRatio, kind: 'gauge', series: { name: 'gpu_usage_percentage' }, aggregate: 'avg', scale: 0.01 },
  { metric: SCRAPE_METRICS.gpuMemoryUtilisationRatio, kind: 'gauge', series: { name: 'gpu_memory_usage_percentage' }, aggregate: 'avg', scale: 0.01 },
];

/** prometheus-node-exporter: a node's CPU and memory in use, as node-mixin's recording rules compute them. */
const NODE_EXPORTER: ScrapeRule[] = [
  // 1 − avg over CPUs of rate(idle seconds): the share of CPU time not idle.
  { metric: SCRAPE_METRICS.cpuUtilisationRatio, kind: 'counter_rate', series: { name: 'node_cpu_seconds_total', labels: { mode: 'idle' } }, aggregate: 'avg', scale: -1, offset: 1 },
  // 1 − MemAvailable / MemTotal.
  { metric: SCRAPE_METRICS.memoryUtilisationRatio, kind: 'ratio', numerator: { name: 'node_memory_MemAvailable_bytes' }, denominator: { name: 'node_memory_MemTotal_bytes' }, scale: -1, offset: 1 },
];

export const SCRAPE_PRESETS = { 'serving-endpoint': SERVING_ENDPOINT, 'node-exporter': NODE_EXPORTER } as const;
export type ScrapePreset = keyof typeof SCRAPE_PRESETS;

/** A counter series a rule reads: its state key and, for a histogram bucket, its upper bound. */
interface CounterRef {
  key: string;
  le?: number;
}

/** Samples by name, built once per exposition. */
function indexByName(exposition: Exposition): Map<string, ExposedSample[]> {
  const index = new Map<string, ExposedSample[]>();
  for (const family of exposition.families) {
    for (const sample of family.samples) {
      const list = index.get(sample.name);
      if (list) list.push(sample);
      else index.set(sample.name, [sample]);
    }
  }
  return index;
}

function matches(sample: ExposedSample, selector: SeriesSelector): boolean {
  if (!selector.labels) return true;
  for (const [name, value] of Object.entries(selector.labels)) if ((sample.labels.get(name) ?? '') !== value) return false;
  return true;
}

function select(index: Map<string, ExposedSample[]>, selector: SeriesSelector): ExposedSample[] {
  return (index.get(selector.name) ?? []).filter((s) => matches(s, selector));
}

function withoutLabel(labels: ReadonlyMap<string, string>, drop: string): Map<string, string> {
  const out = new Map(labels);
  out.delete(drop);
  return out;
}

function aggregate(values: number[], how: Aggregation): number {
  switch (how) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
  }
}

/** The `_created` timestamp (ms) of a counter or histogram series, when the exposition has one. */
function createdLookup(index: Map<string, ExposedSample[]>): (baseName: string, labels: ReadonlyMap<string, string>) => number | undefined {
  const cache = new Map<string, Map<string, number>>();
  return (baseName, labels) => {
    const name = `${baseName}_created`;
    let byLabels = cache.get(name);
    if (!byLabels) {
      byLabels = new Map((index.get(name) ?? []).filter((s) => Number.isFinite(s.value)).map((s) => [seriesKey('', s.labels), s.value * 1000]));
      cache.set(name, byLabels);
    }
    return byLabels.get(seriesKey('', labels));
  };
}

export function evaluateScrape(rules: readonly ScrapeRule[], exposition: Exposition, scrapedAtMs: number, state: ScrapeState): ScrapeEvaluation {
  const index = indexByName(exposition);
  const created = createdLookup(index);

  // Every counter any rule needs, observed once.
  const observations = new Map<string, CounterObservation>();
  const observe = (sample: ExposedSample, createdBase: string | undefined, createdLabels: ReadonlyMap<string, string>) => {
    const key = seriesKey(sample.name, sample.labels);
    if (observations.has(key)) return key;
    const createdMs = createdBase === undefined ? undefined : created(createdBase, createdLabels);
    const point: CounterPoint = { value: sample.value, timestampMs: sample.timestampMs ?? scrapedAtMs, ...(createdMs !== undefined ? { createdMs } : {}) };
    observations.set(key, { key, point });
    return key;
  };
  const counterKeys = new Map<ScrapeRule, CounterRef[]>();
  for (const rule of rules) {
    if (rule.kind === 'counter_rate') {
      const base = rule.series.name.endsWith('_total') ? rule.series.name.slice(0, -'_total'.length) : undefined;
      counterKeys.set(rule, select(index, rule.series).map((s) => ({ key: observe(s, base, s.labels) })));
    } else if (rule.kind === 'histogram_quantile') {
      const buckets = select(index, { name: `${rule.histogram.name}_bucket`, labels: rule.histogram.labels });
      counterKeys.set(rule, buckets.map((s) => ({ key: observe(s, rule.histogram.name, withoutLabel(s.labels, 'le')), le: parseFloatToken(s.labels.get('le') ?? '') })));
    }
  }
  const { increases, next } = counterIncreases(state.counters, [...observations.values()]);

  const values: ScrapeEvaluation['values'] = [];
  const skipped: ScrapeEvaluation['skipped'] = [];
  for (const rule of rules) {
    const outcome = evaluateRule(rule, index, counterKeys.get(rule) ?? [], increases);
    if (typeof outcome === 'string') {
      skipped.push({ metric: rule.metric, reason: outcome });
      continue;
    }
    const value = outcome * (rule.scale ?? 1) + (rule.offset ?? 0);
    if (Number.isFinite(value)) values.push({ metric: rule.metric, value });
    else skipped.push({ metric: rule.metric, reason: 'not_finite' });
  }
  return { values, skipped, state: { counters: next } };
}

function evaluateRule(
  rule: ScrapeRule,
  index: Map<string, ExposedSample[]>,
  refs: CounterRef[],
  increases: Map<string, CounterIncrease>,
): number | SkipReason {
  switch (rule.kind) {
    case 'gauge': {
      const finite = select(index, rule.series).map((s) => s.value).filter(Number.isFinite);
      if (finite.length === 0) return 'no_series';
      return aggregate(finite, rule.aggregate ?? 'avg');
    }
    case 'counter_rate': {
      if (refs.length === 0) return 'no_series';
      const rates = refs.map((r) => increases.get(r.key)?.rate).filter((r): r is number => r !== undefined);
      if (rates.length === 0) return 'needs_two_scrapes';
      return aggregate(rates, rule.aggregate ?? 'sum');
    }
    case 'ratio': {
      const num = select(index, rule.numerator).map((s) => s.value).filter(Number.isFinite);
      const den = select(index, rule.denominator).map((s) => s.value).filter(Number.isFinite);
      if (num.length === 0 || den.length === 0) return 'no_series';
      const d = aggregate(den, 'sum');
      if (d === 0) return 'zero_denominator';
      return aggregate(num, 'sum') / d;
    }
    case 'histogram_quantile': {
      if (refs.length === 0) return summaryQuantile(rule, index);
      // sum by (le) of each bucket's increase since the previous scrape.
      const byBound = new Map<number, number>();
      let any = false;
      for (const { key, le } of refs) {
        const inc = increases.get(key);
        if (!inc || le === undefined || Number.isNaN(le)) continue;
        any = true;
        byBound.set(le, (byBound.get(le) ?? 0) + inc.increase);
      }
      if (!any) return 'needs_two_scrapes';
      const buckets: Bucket[] = [...byBound].map(([upperBound, count]) => ({ upperBound, count }));
      const q = histogramQuantile(rule.quantile, buckets);
      return Number.isNaN(q) ? 'no_observations' : q;
    }
  }
}

function summaryQuantile(rule: Extract<ScrapeRule, { kind: 'histogram_quantile' }>, index: Map<string, ExposedSample[]>): number | SkipReason {
  const series = select(index, rule.histogram).filter((s) => {
    const q = s.labels.get('quantile');
    return q !== undefined && parseFloatToken(q) === rule.quantile && Number.isFinite(s.value);
  });
  if (series.length === 0) return 'no_series';
  // Quantiles of different series cannot be combined into the quantile of their union.
  if (series.length > 1) return 'summary_not_aggregatable';
  return series[0].value;
}
