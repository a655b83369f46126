import { METRICS } from '@prescient/contracts';

/**
 * Canonical metrics that scraping adds to libs/contracts' METRICS (to be merged there). Ratios are
 * 0–1 (a percentage exposed as 0–100 is scaled), latencies in seconds, rates per second.
 */
export const SCRAPE_METRICS = {
  /** Requests served per second. */
  requestRate: 'request_rate',
  /** Median request latency over the last scrape interval, seconds. */
  latencyP50Seconds: 'latency_p50_seconds',
  /** 99th-percentile request latency over the last scrape interval, seconds. */
  latencyP99Seconds: 'latency_p99_seconds',
  /** Responses with a 4xx status per second. */
  errorRate4xx: 'error_rate_4xx',
  /** Responses with a 5xx status per second. */
  errorRate5xx: 'error_rate_5xx',
  /** Share of CPU capacity in use (0–1), averaged over replicas. */
  cpuUtilisationRatio: 'cpu_utilisation_ratio',
  /** Share of memory in use (0–1), averaged over replicas. */
  memoryUtilisationRatio: 'memory_utilisation_ratio',
  /** Share of GPU time busy (0–1), averaged over GPUs and replicas. */
  gpuUtilisationRatio: 'gpu_utilisation_ratio',
  /** Share of GPU frame-buffer memory in use (0–1), averaged over GPUs and replicas. */
  gpuMemoryUtilisationRatio: 'gpu_memory_utilisation_ratio',
} as const;

export type ScrapeMetricName = (typeof SCRAPE_METRICS)[keyof typeof SCRAPE_METRICS];

/** Every canonical metric a scrape or backfill may publish: the contract's and the ones above. */
export const CANONICAL_METRIC_NAMES: readonly string[] = [...new Set([...Object.values(METRICS), ...Object.values(SCRAPE_METRICS)])].sort();

export function isCanonicalMetric(name: string): boolean {
  return CANONICAL_METRIC_NAMES.includes(name);
}
