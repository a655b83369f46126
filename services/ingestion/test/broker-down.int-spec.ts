import '../src/tracing';
import { RunningService, startService } from '@prescient/platform';
import { encodeRemoteWriteBody, uniqueTenant } from '@prescient/testing';
import { LocalKafka, startLocalKafka } from '../../../libs/testing/src/infra/kafka-local';
import { ingestionService } from '../src/service';

// A broker of its own, so stopping it does not disturb the other tests.
describe('remote_write when Kafka cannot take the samples', () => {
  let kafka: LocalKafka;
  let service: RunningService;
  const tenant = uniqueTenant();

  beforeAll(async () => {
    kafka = await startLocalKafka();
    service = await startService({ ...ingestionService, env: { ...process.env, KAFKA_BROKERS: kafka.brokers, HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'error' } });
  });

  afterAll(async () => {
    await service?.stop();
    await kafka?.stop();
  });

  const write = () =>
    fetch(`http://127.0.0.1:${service.httpPort}/api/v1/write`, {
      method: 'POST',
      body: encodeRemoteWriteBody([{
        labels: [{ name: '__name__', value: 'namespace_workload:container_cpu_usage_seconds_total:sum_rate' }, { name: 'namespace', value: 'a' }, { name: 'workload', value: 'b' }, { name: 'workload_type', value: 'deployment' }],
        samples: [{ timestampMs: Date.now(), value: 1 }],
      }]),
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prescient-tenant': tenant },
    });

  it('answers 204 while the broker acknowledges, then 503 with Retry-After once it is gone (Prometheus retries)', async () => {
    expect((await write()).status).toBe(204);
    await kafka.stop();
    const started = Date.now();
    const res = await write();
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.text()).toMatch(/^kafka_unavailable: /);
    expect(Date.now() - started).toBeLessThan(30_000); // inside Prometheus' default remote_timeout
    const metrics = await (await fetch(`http://127.0.0.1:${service.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/prescient_ingestion_remote_write_rejected_total\{reason="kafka_unavailable"\} 1/);
    const ready = await fetch(`http://127.0.0.1:${service.httpPort}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { kafka: false, postgres: true } });
  });
});
