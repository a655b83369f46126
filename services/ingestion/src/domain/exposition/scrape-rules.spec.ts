import { SCRAPE_METRICS } from './canonical-metrics';
import { parseExposition } from './parse-exposition';
import { EMPTY_SCRAPE_STATE, evaluateScrape, SCRAPE_PRESETS, ScrapeRule } from './scrape-rules';

/** A serving endpoint's export as seed 004 describes it (Databricks model serving /metrics), in OpenMetrics. */
function servingEndpoint(c: { requests: number; e4: number; e5: number; buckets: [string, number][]; cpu: number[]; mem: number; gpu: number[]; gpuMem: number[] }): string {
  const count = c.buckets[c.buckets.length - 1][1];
  return [
    '# TYPE request_count counter',
    `request_count_total ${c.requests}`,
    '# TYPE request_4xx_count counter',
    `request_4xx_count_total ${c.e4}`,
    '# TYPE request_5xx_count counter',
    `request_5xx_count_total ${c.e5}`,
    '# TYPE request_latency_ms histogram',
    ...c.buckets.map(([le, n]) => `request_latency_ms_bucket{le="${le}"} ${n}`),
    `request_latency_ms_sum ${count * 50}`,
    `request_latency_ms_count ${count}`,
    '# TYPE cpu_usage_percentage gauge',
    ...c.cpu.map((v, i) => `cpu_usage_percentage{replica="r${i}"} ${v}`),
    '# TYPE mem_usage_percentage gauge',
    `mem_usage_percentage ${c.mem}`,
    '# TYPE gpu_usage_percentage gauge',
    ...c.gpu.map((v, i) => `gpu_usage_percentage{gpu="gpu${i}"} ${v}`),
    '# TYPE gpu_memory_usage_percentage gauge',
    ...c.gpuMem.map((v, i) => `gpu_memory_usage_percentage{gpu="gpu${i}"} ${v}`),
    '# EOF',
    '',
  ].join('\n');
}

const values = (out: ReturnType<typeof evaluateScrape>) => Object.fromEntries(out.values.map((v) => [v.metric, v.value]));

describe('scrape rules: a serving endpoint (seed 004)', () => {
  const rules = SCRAPE_PRESETS['serving-endpoint'];
  const first = servingEndpoint({ requests: 1000, e4: 10, e5: 2, buckets: [['10', 100], ['50', 600], ['100', 950], ['500', 1000], ['+Inf', 1000]], cpu: [40, 60], mem: 72.5, gpu: [90, 70], gpuMem: [50, 30] });
  // 60 s later: 600 more requests; latencies of those 600: 0 ≤10 ms, 300 ≤50, 240 ≤100, 54 ≤500, 6 above.
  const second = servingEndpoint({ requests: 1600, e4: 22, e5: 5, buckets: [['10', 100], ['50', 900], ['100', 1490], ['500', 1544], ['+Inf', 1550]], cpu: [50, 70], mem: 80, gpu: [100, 80], gpuMem: [60, 40] });

  it('yields the gauges at once and the rates and latency quantiles from the second scrape on', () => {
    const one = evaluateScrape(rules, parseExposition(first, 'openmetrics'), 1_700_000_000_000, EMPTY_SCRAPE_STATE);
    expect(values(one)).toEqual({
      [SCRAPE_METRICS.cpuUtilisationRatio]: 0.5,
      [SCRAPE_METRICS.memoryUtilisationRatio]: 0.725,
      [SCRAPE_METRICS.gpuUtilisationRatio]: 0.8,
      [SCRAPE_METRICS.gpuMemoryUtilisationRatio]: 0.4,
    });
    expect(one.skipped.map((s) => s.reason)).toEqual(['needs_two_scrapes', 'needs_two_scrapes', 'needs_two_scrapes', 'needs_two_scrapes', 'needs_two_scrapes']);

    const two = evaluateScrape(rules, parseExposition(second, 'openmetrics'), 1_700_000_060_000, one.state);
    const v = values(two);
    expect(v[SCRAPE_METRICS.requestRate]).toBeCloseTo(10, 12);
    expect(v[SCRAPE_METRICS.errorRate4xx]).toBeCloseTo(0.2, 12);
    expect(v[SCRAPE_METRICS.errorRate5xx]).toBeCloseTo(0.05, 12);
    // Increases by le: 10→0, 50→300, 100→540, 500→544, +Inf→550. P50: rank 275 in (10, 50]: 10 + 40·275/300.
    expect(v[SCRAPE_METRICS.latencyP50Seconds]).toBeCloseTo((10 + (40 * 275) / 300) / 1000, 12);
    // P99: rank 544.5 in (500, +Inf] → the second-highest bound, 500 ms.
    expect(v[SCRAPE_METRICS.latencyP99Seconds]).toBeCloseTo(0.5, 12);
    expect(v[SCRAPE_METRICS.cpuUtilisationRatio]).toBeCloseTo(0.6, 12);
    expect(two.skipped).toEqual([]);
  });

  it('reads a counter reset (the endpoint restarted) as a restart from 0, not as a negative rate', () => {
    const one = evaluateScrape(rules, parseExposition(second, 'openmetrics'), 0, EMPTY_SCRAPE_STATE);
    const restarted = servingEndpoint({ requests: 120, e4: 0, e5: 1, buckets: [['10', 20], ['50', 100], ['100', 118], ['500', 120], ['+Inf', 120]], cpu: [1], mem: 1, gpu: [1], gpuMem: [1] });
    const two = evaluateScrape(rules, parseExposition(restarted, 'openmetrics'), 60_000, one.state);
    const v = values(two);
    expect(v[SCRAPE_METRICS.requestRate]).toBeCloseTo(2, 12);
    expect(v[SCRAPE_METRICS.errorRate4xx]).toBe(0);
    expect(v[SCRAPE_METRICS.errorRate5xx]).toBeCloseTo(1 / 60, 12);
    // The restarted buckets are the increases themselves: P50 rank 60 in (10, 50]: 10 + 40·40/80.
    expect(v[SCRAPE_METRICS.latencyP50Seconds]).toBeCloseTo(0.03, 12);
  });

  it('gives no latency when nothing was observed in the interval (Prometheus returns NaN there)', () => {
    const one = evaluateScrape(rules, parseExposition(first, 'openmetrics'), 0, EMPTY_SCRAPE_STATE);
    const two = evaluateScrape(rules, parseExposition(first, 'openmetrics'), 60_000, one.state);
    expect(values(two)[SCRAPE_METRICS.requestRate]).toBe(0);
    expect(two.skipped).toEqual([
      { metric: SCRAPE_METRICS.latencyP50Seconds, reason: 'no_observations' },
      { metric: SCRAPE_METRICS.latencyP99Seconds, reason: 'no_observations' },
    ]);
  });

  it('reads the same export in the Prometheus text format (counters named with _total in TYPE)', () => {
    const text = first.replace('# EOF\n', '').replace(/# TYPE (request_\w*count) counter/g, '# TYPE $1_total counter');
    const one = evaluateScrape(rules, parseExposition(text, 'prometheus-text'), 0, EMPTY_SCRAPE_STATE);
    const two = evaluateScrape(rules, parseExposition(text.replace('request_count_total 1000', 'request_count_total 1300'), 'prometheus-text'), 30_000, one.state);
    expect(values(two)[SCRAPE_METRICS.requestRate]).toBeCloseTo(10, 12);
  });

  it('uses an exposed OpenMetrics _created to see a reset the value hides', () => {
    const rule: ScrapeRule[] = [{ metric: 'request_rate', kind: 'counter_rate', series: { name: 'jobs_total' } }];
    const scrape = (v: number, created: number) => parseExposition(`# TYPE jobs counter\njobs_total ${v}\njobs_created ${created}\n# EOF\n`, 'openmetrics');
    const one = evaluateScrape(rule, scrape(100, 1000), 0, EMPTY_SCRAPE_STATE);
    const two = evaluateScrape(rule, scrape(150, 1050), 100_000, one.state);
    expect(values(two).request_rate).toBeCloseTo(1.5, 12); // 150 since the restart, not 50
  });
});

describe('scrape rules: node-exporter', () => {
  const exposition = (idle: [number, number], avail: number) => parseExposition([
    '# TYPE node_cpu_seconds_total counter',
    `node_cpu_seconds_total{cpu="0",mode="idle"} ${idle[0]}`,
    'node_cpu_seconds_total{cpu="0",mode="user"} 50',
    `node_cpu_seconds_total{cpu="1",mode="idle"} ${idle[1]}`,
    '# TYPE node_memory_MemAvailable_bytes gauge',
    `node_memory_MemAvailable_bytes ${avail}`,
    '# TYPE node_memory_MemTotal_bytes gauge',
    'node_memory_MemTotal_bytes 8e9',
  ].join('\n'), 'prometheus-text');

  it('computes 1 − avg idle rate and 1 − MemAvailable/MemTotal', () => {
    const rules = SCRAPE_PRESETS['node-exporter'];
    const one = evaluateScrape(rules, exposition([100, 200], 6e9), 0, EMPTY_SCRAPE_STATE);
    expect(values(one)).toEqual({ [SCRAPE_METRICS.memoryUtilisationRatio]: 0.25 });
    // 10 s later: cpu0 idle 9 s (10 % busy), cpu1 idle 7 s (30 % busy) → 20 % busy.
    const two = evaluateScrape(rules, exposition([109, 207], 2e9), 10_000, one.state);
    expect(values(two)[SCRAPE_METRICS.cpuUtilisationRatio]).toBeCloseTo(0.2, 12);
    expect(values(two)[SCRAPE_METRICS.memoryUtilisationRatio]).toBeCloseTo(0.75, 12);
    // Only the counters the rules read are kept between scrapes.
    expect(two.state.counters.size).toBe(2);
  });
});

describe('scrape rules: other shapes', () => {
  it('takes a summary quantile when the family has no buckets, but will not average several', () => {
    const rule: ScrapeRule[] = [{ metric: 'latency_p99_seconds', kind: 'histogram_quantile', histogram: { name: 'rpc_seconds' }, quantile: 0.99 }];
    const one = parseExposition('# TYPE rpc_seconds summary\nrpc_seconds{quantile="0.5"} 0.1\nrpc_seconds{quantile="0.99"} 0.7\n', 'prometheus-text');
    expect(values(evaluateScrape(rule, one, 0, EMPTY_SCRAPE_STATE))).toEqual({ latency_p99_seconds: 0.7 });
    const two = parseExposition('# TYPE rpc_seconds summary\nrpc_seconds{quantile="0.99",pod="a"} 0.7\nrpc_seconds{quantile="0.99",pod="b"} 0.9\n', 'prometheus-text');
    expect(evaluateScrape(rule, two, 0, EMPTY_SCRAPE_STATE).skipped).toEqual([{ metric: 'latency_p99_seconds', reason: 'summary_not_aggregatable' }]);
  });

  it('filters by label, aggregates, and skips what is missing, zero or not finite', () => {
    const e = parseExposition('g{k="a"} 1\ng{k="a",x="1"} 3\ng{k="b"} 100\nn 1\nd 0\nbad NaN\n', 'prometheus-text');
    const rules: ScrapeRule[] = [
      { metric: 'm_max', kind: 'gauge', series: { name: 'g', labels: { k: 'a' } }, aggregate: 'max' },
      { metric: 'm_sum', kind: 'gauge', series: { name: 'g' }, aggregate: 'sum' },
      { metric: 'm_none', kind: 'gauge', series: { name: 'absent' } },
      { metric: 'm_ratio', kind: 'ratio', numerator: { name: 'n' }, denominator: { name: 'd' } },
      { metric: 'm_nan', kind: 'gauge', series: { name: 'bad' } },
      { metric: 'm_inf', kind: 'gauge', series: { name: 'n' }, scale: Infinity },
    ];
    const out = evaluateScrape(rules, e, 0, EMPTY_SCRAPE_STATE);
    expect(values(out)).toEqual({ m_max: 3, m_sum: 104 });
    expect(out.skipped).toEqual([
      { metric: 'm_none', reason: 'no_series' },
      { metric: 'm_ratio', reason: 'zero_denominator' },
      { metric: 'm_nan', reason: 'no_series' },
      { metric: 'm_inf', reason: 'not_finite' },
    ]);
  });
});
