import '../src/tracing';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningService, startService } from '@prescient/platform';
import { encodeRemoteWriteBody } from '@prescient/testing';
import { ingestionService } from '../src/service';

describe('per-tenant relabelling and limits on remote_write', () => {
  let service: RunningService;
  const file = join(mkdtempSync(join(tmpdir(), 'tenants-')), 'tenants.json');

  beforeAll(async () => {
    writeFileSync(file, JSON.stringify({
      tenants: {
        'tiny': { limits: { maxSamplesPerSecond: 1, burstSamples: 3, maxActiveSeries: 100, activeWindowMinutes: 20 } },
        'few-series': { limits: { maxSamplesPerSecond: 10000, burstSamples: 20000, maxActiveSeries: 2, activeWindowMinutes: 20 } },
        'relabelled': { relabel: [{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }, { regex: 'pod', action: 'labeldrop' }] },
      },
    }));
    service = await startService({ ...ingestionService, env: { ...process.env, HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', INGESTION_TENANTS_FILE: file } });
  });

  afterAll(async () => service?.stop());

  const series = (name: string, n: number, extra: Record<string, string> = {}) =>
    Array.from({ length: n }, (_, i) => ({ labels: [{ name: '__name__', value: name }, { name: 'instance', value: `i${i}` }, ...Object.entries(extra).map(([k, v]) => ({ name: k, value: v }))], samples: [{ timestampMs: Date.now(), value: i }] }));
  const post = (tenant: string, body: Buffer) =>
    fetch(`http://127.0.0.1:${service.httpPort}/api/v1/write`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prescient-tenant': tenant } });
  const metrics = async () => (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text();

  it('answers 429 with the limit name and Retry-After when a tenant is over its samples rate, and counts it per tenant', async () => {
    expect((await post('tiny', encodeRemoteWriteBody(series('up', 3)))).status).toBe(204);
    const res = await post('tiny', encodeRemoteWriteBody(series('up', 3)));
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await res.text()).toMatch(/^max_samples_per_second: /);
    expect(await metrics()).toMatch(/prescient_ingestion_limit_refusals_total\{tenant="tiny",limit="max_samples_per_second"\} 1/);
    // Another tenant is not affected.
    expect((await post('other', encodeRemoteWriteBody(series('up', 3)))).status).toBe(204);
  });

  it('refuses new series over the active-series limit while known series keep flowing', async () => {
    expect((await post('few-series', encodeRemoteWriteBody(series('up', 2)))).status).toBe(204);
    const over = await post('few-series', encodeRemoteWriteBody(series('up', 3)));
    expect(over.status).toBe(429);
    expect(await over.text()).toMatch(/^max_active_series: /);
    expect((await post('few-series', encodeRemoteWriteBody(series('up', 2)))).status).toBe(204);
    const card = await fetch(`http://127.0.0.1:${service.httpPort}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-prescient-tenant': 'few-series' },
      body: JSON.stringify({ query: '{ seriesCardinality { activeSeries maxActiveSeries byMetricName { metricName activeSeries } } }' }),
    }).then((r) => r.json() as Promise<any>);
    expect(card.data.seriesCardinality).toEqual({ activeSeries: 2, maxActiveSeries: 2, byMetricName: [{ metricName: 'up', activeSeries: 2 }] });
  });

  it("applies the tenant's relabel rules before limits and mapping", async () => {
    const res = await post('relabelled', encodeRemoteWriteBody([...series('go_goroutines', 4), ...series('up', 1, { pod: 'p-1' })]));
    expect(res.status).toBe(204);
    expect(await metrics()).toMatch(/prescient_ingestion_series_relabel_dropped_total\{tenant="relabelled",reason="dropped"\} 4/);
  });

  it('refuses to start with an invalid rule, naming the tenant and the field', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'tenants-')), 'bad.json');
    writeFileSync(bad, JSON.stringify({ tenants: { acme: { relabel: [{ action: 'hashmod', target_label: 'shard' }] } } }));
    await expect(startService({ ...ingestionService, env: { ...process.env, HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error', INGESTION_TENANTS_FILE: bad } }))
      .rejects.toThrow(/INGESTION_TENANTS_FILE: .*tenants\.acme\.relabel: .*modulus/);
  });
});
