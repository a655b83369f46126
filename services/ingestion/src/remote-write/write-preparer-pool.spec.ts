import { encodeRemoteWriteBody, type EncodableSeries } from '@prescient/testing';
import type { WriteJob } from '../domain/prepare-write';
import { GENEROUS_LIMITS } from '../domain/remote-write/remote-write.fixtures';
import { PreparerUnavailableError, WritePreparerPool } from './write-preparer-pool';
import type { PreparerThreadData } from './write-preparer-protocol';

const T = 1_700_000_000_000;
const DATA: PreparerThreadData = {
  limits: GENEROUS_LIMITS,
  defaultCluster: 'c1',
  relabelConfigs: { acme: [{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }] },
};

function body(workloads: number, offset = 0): Buffer {
  const series: EncodableSeries[] = [];
  for (let i = 0; i < workloads; i++) {
    series.push({
      labels: [
        { name: '__name__', value: 'namespace_workload:container_cpu_usage_seconds_total:sum_rate' },
        { name: 'namespace', value: 'shop' },
        { name: 'workload', value: `w-${i + offset}` },
        { name: 'workload_type', value: 'deployment' },
      ],
      samples: [{ timestampMs: T, value: i / 10 }],
    });
  }
  series.push({ labels: [{ name: '__name__', value: 'go_goroutines' }], samples: [{ timestampMs: T, value: 9 }] });
  series.push({ labels: [{ name: '__name__', value: 'container_memory_working_set_bytes' }, { name: 'namespace', value: 'shop' }, { name: 'pod', value: 'p' }, { name: 'container', value: 'c' }], samples: [{ timestampMs: T, value: 5 }] });
  return encodeRemoteWriteBody(series);
}

function job(bytes: Uint8Array): WriteJob {
  return { tenant: 'acme', body: bytes, partitions: 6, receivedAtMs: T, source: 'remote_write' };
}

/** A result as plain data (typed arrays and bytes as arrays), to compare across threads. */
function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Array.from(value as Uint8Array);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

describe('WritePreparerPool', () => {
  let pools: WritePreparerPool[] = [];
  const pool = (threads: number, onThreadExit?: (detail: string) => void) => {
    const p = new WritePreparerPool({ threads, data: DATA, onThreadExit });
    pools.push(p);
    return p;
  };
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.close()));
    pools = [];
  });

  it('prepares on threads exactly what it prepares on the event loop, for requests in flight together', async () => {
    const bodies = Array.from({ length: 12 }, (_, i) => body(50 + i, i * 100));
    const inline = await Promise.all(bodies.map((b) => pool(0).prepare(job(Buffer.from(b)))));
    const threaded = pool(2);
    const results = await Promise.all(bodies.map((b) => threaded.prepare(job(Buffer.from(b)))));
    expect(results.map(plain)).toEqual(inline.map(plain));
    const first = results[0];
    if (!first.ok) throw new Error(first.reason);
    expect(first.relabelled).toEqual({ dropped: 1 });
    expect(first.raw.map((s) => s.metricName)).toEqual(['container_memory_working_set_bytes']);
    expect(first.envelopes.length).toBeGreaterThan(0);
    expect(threaded.inFlight).toBe(0);
  });

  it('hands whole bodies over, but copies a body cut from Node\'s shared pool (the pool stays usable)', async () => {
    const threaded = pool(1);
    const small = body(2);
    expect(small.length).toBeLessThan(Buffer.poolSize / 2);
    const pooled = Buffer.from(small); // a slice of the shared allocation pool
    const neighbour = Buffer.from('still here');
    expect(pooled.buffer).toBe(neighbour.buffer);
    await expect(threaded.prepare(job(pooled))).resolves.toMatchObject({ ok: true, acceptedSamples: 2 });
    expect(neighbour.toString()).toBe('still here');
    const large = Buffer.alloc(64 * 1024);
    body(500).copy(large);
    const owned = large.subarray(0, body(500).length);
    const whole = Buffer.from(owned); // its own ArrayBuffer: transferred
    await expect(threaded.prepare(job(whole))).resolves.toMatchObject({ ok: true, acceptedSamples: 500 });
    expect(whole.byteLength).toBe(0);
  });

  it('answers a refusal for bad bytes and keeps the thread', async () => {
    const threaded = pool(1);
    await expect(threaded.prepare(job(Buffer.from([0xff, 0xff, 0xff, 0x01])))).resolves.toMatchObject({ ok: false, status: 400 });
    await expect(threaded.prepare(job(body(3)))).resolves.toMatchObject({ ok: true });
  });

  it('fails the requests of a thread that ends with PreparerUnavailableError, replaces it, and goes on', async () => {
    const exits: string[] = [];
    const threaded = pool(1, (d) => exits.push(d));
    await threaded.prepare(job(body(1))); // the thread is up
    const inFlight = threaded.prepare(job(body(2000)));
    await threaded.killThreadForTest(0);
    await expect(inFlight).rejects.toBeInstanceOf(PreparerUnavailableError);
    expect(exits).toHaveLength(1);
    // Until the replacement starts (a second after a thread that lived under 5 s), requests are refused, not lost.
    await expect(threaded.prepare(job(body(1)))).rejects.toBeInstanceOf(PreparerUnavailableError);
    const deadline = Date.now() + 10_000;
    while (threaded.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await expect(threaded.prepare(job(body(4)))).resolves.toMatchObject({ ok: true, acceptedSamples: 4 });
  });

  it('refuses requests once closed', async () => {
    const threaded = pool(1);
    await threaded.close();
    await expect(threaded.prepare(job(body(1)))).rejects.toBeInstanceOf(PreparerUnavailableError);
  });
});
