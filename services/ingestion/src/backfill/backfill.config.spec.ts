import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@prescient/platform';
import { loadBackfillSources } from './backfill.config';

const dir = mkdtempSync(join(tmpdir(), 'backfill-config-'));
let n = 0;
const file = (content: unknown) => {
  const path = join(dir, `c${n++}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
};
const source = {
  name: 'prom',
  url: 'http://prometheus:9090/',
  tenant: 'acme',
  cluster: 'prod',
  queries: [{ name: 'cpu', query: 'namespace_workload:container_cpu_usage_seconds_total:sum_rate{$selector}', metric: 'cpu_usage_cores' }],
};

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('backfill config file', () => {
  it('defaults to 30 days at 5 minutes, Prometheus\' 11,000-point limit, 2 concurrent requests and 5 per second', () => {
    const [s] = loadBackfillSources(file({ sources: [source] }), {});
    expect(s).toMatchObject({
      name: 'prom', baseUrl: 'http://prometheus:9090', tenant: 'acme', cluster: 'prod', lookbackMs: 30 * 86_400_000, stepMs: 300_000, maxPointsPerRequest: 11_000,
      maxConcurrentRequests: 2, requestsPerSecond: 5, onStart: true, onNewWorkload: false,
    });
    expect(s.queries[0]).toEqual({
      name: 'cpu', query: source.queries[0].query, metric: 'cpu_usage_cores', combine: 'sum',
      mapping: { kind: 'workload', namespaceLabel: 'namespace', workloadLabel: 'workload', workloadKindLabel: 'workload_type', clusterLabel: 'cluster' },
    });
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a query without $selector when new workloads are backfilled', { sources: [{ ...source, onNewWorkload: true, queries: [{ ...source.queries[0], query: 'up' }] }] }, "INGESTION_BACKFILL_CONFIG_FILE sources[0] ('prom').queries[0] ('cpu').query", /\$selector/],
    ['a metric that is not canonical', { sources: [{ ...source, queries: [{ ...source.queries[0], metric: 'cpu' }] }] }, "INGESTION_BACKFILL_CONFIG_FILE sources[0] ('prom').queries[0] ('cpu').metric", /not a canonical metric/],
    ['a zero step', { sources: [{ ...source, stepSeconds: 0 }] }, "INGESTION_BACKFILL_CONFIG_FILE sources[0] ('prom').stepSeconds", /greater than or equal to 1/],
    ['a duplicate query', { sources: [{ ...source, queries: [source.queries[0], source.queries[0]] }] }, "INGESTION_BACKFILL_CONFIG_FILE sources[0] ('prom').queries[1] ('cpu').name", /used twice/],
    ['a bad label override', { sources: [{ ...source, queries: [{ ...source.queries[0], labels: { workload: 'a-b' } }] }] }, "INGESTION_BACKFILL_CONFIG_FILE sources[0] ('prom').queries[0] ('cpu').labels.workload", /label name/],
  ])('names the key, source and query for %s', (_, content, key, message) => {
    const error = configError(() => loadBackfillSources(file(content), {}));
    expect(error.problems[0].key).toBe(key);
    expect(error.problems[0].message).toMatch(message);
  });
});
