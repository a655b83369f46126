import { SampleBatches } from '@prescient/contracts';
import { encodeRemoteWriteBody, type EncodableSeries } from '@prescient/testing';
import { seriesKey } from './limits';
import { compileRelabelConfigs } from './relabel';
import { admissionSeries, type PreparedWrite, WritePreparer, type WriteJob } from './prepare-write';
import { GENEROUS_LIMITS } from './remote-write/remote-write.fixtures';

const T = 1_700_000_000_000;
const WORKLOAD_CPU = 'namespace_workload:container_cpu_usage_seconds_total:sum_rate';

function labelsOf(record: Record<string, string>): { name: string; value: string }[] {
  return Object.entries(record)
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function workloadSeries(workload: string, value: number, extra: Record<string, string> = {}): EncodableSeries {
  return {
    labels: labelsOf({ __name__: WORKLOAD_CPU, namespace: 'shop', workload, workload_type: 'deployment', ...extra }),
    samples: [{ timestampMs: T, value }],
  };
}

const RULES = compileRelabelConfigs([
  { source_labels: ['__name__'], regex: 'go_.*', action: 'drop' },
  { source_labels: ['rename'], regex: '(.+)', target_label: '__name__', replacement: '9$1', action: 'replace' },
]);

function preparer(): WritePreparer {
  return new WritePreparer({ limits: GENEROUS_LIMITS, defaultCluster: 'c1', relabelOf: (t) => (t === 'acme' ? RULES : undefined) });
}

function job(body: Uint8Array, tenant = 'acme'): WriteJob {
  return { tenant, body, partitions: 4, receivedAtMs: T + 5_000, source: 'remote_write' };
}

function accepted(result: PreparedWrite): Extract<PreparedWrite, { ok: true }> {
  if (!result.ok) throw new Error(`expected a prepared write, got ${result.reason}: ${result.message}`);
  return result;
}

describe('WritePreparer', () => {
  it('refuses an undecodable body with the decoder\'s reason as a 400', () => {
    const result = preparer().prepare(job(Uint8Array.of(0xff, 0xff, 0xff)));
    expect(result).toEqual({ ok: false, status: 400, reason: expect.stringMatching(/^snappy_/), message: expect.any(String) });
  });

  it('answers 413 for a body over the compressed limit', () => {
    const small = new WritePreparer({ limits: { ...GENEROUS_LIMITS, maxCompressedBytes: 8 }, defaultCluster: 'c1', relabelOf: () => undefined });
    const result = small.prepare(job(encodeRemoteWriteBody([workloadSeries('web', 1)])));
    expect(result).toMatchObject({ ok: false, status: 413, reason: 'body_too_large' });
  });

  it('counts series removed by relabelling, by outcome, and leaves them out of admission', () => {
    const body = encodeRemoteWriteBody([
      workloadSeries('web', 0.5),
      { labels: labelsOf({ __name__: 'go_goroutines', job: 'x' }), samples: [{ timestampMs: T, value: 7 }] },
      { labels: labelsOf({ __name__: 'up', rename: 'x' }), samples: [{ timestampMs: T, value: 1 }] },
    ]);
    const result = accepted(preparer().prepare(job(body)));
    expect(result.decodedSamples).toBe(3);
    expect(result.relabelled).toEqual({ dropped: 1, invalid_metric_name: 1 });
    expect(result.admission.his).toHaveLength(1);
  });

  it('relabels a label set once: later requests get the same frozen array and the same counts', () => {
    const cadvisor = { labels: labelsOf({ __name__: 'container_cpu_usage_seconds_total', namespace: 'shop', pod: 'web-1', container: 'app', rename: 'x_total' }), samples: [{ timestampMs: T, value: 10 }] };
    const dropped = { labels: labelsOf({ __name__: 'go_goroutines', job: 'x' }), samples: [{ timestampMs: T, value: 7 }] };
    const p = preparer();
    const first = accepted(p.prepare(job(encodeRemoteWriteBody([cadvisor, dropped]))));
    const second = accepted(p.prepare(job(encodeRemoteWriteBody([cadvisor, dropped]))));
    // `rename` rewrote __name__ to 9x_total, an invalid metric name; both requests count it.
    expect(first.relabelled).toEqual({ dropped: 1, invalid_metric_name: 1 });
    expect(second.relabelled).toEqual(first.relabelled);
    const renamed = compileRelabelConfigs([{ source_labels: ['pod'], regex: '(.+)', target_label: 'instance', replacement: '$1', action: 'replace' }]);
    const q = new WritePreparer({ limits: GENEROUS_LIMITS, defaultCluster: 'c1', relabelOf: () => renamed });
    const a = accepted(q.prepare(job(encodeRemoteWriteBody([cadvisor]))));
    const b = accepted(q.prepare(job(encodeRemoteWriteBody([cadvisor]))));
    expect(a.raw[0].labels).toContainEqual({ name: 'instance', value: 'web-1' });
    expect(b.raw[0].labels).toBe(a.raw[0].labels);
    expect(Object.isFrozen(a.raw[0].labels)).toBe(true);
  });

  it('fingerprints each admitted series exactly as the limiter would from its labels', () => {
    const series = [workloadSeries('web', 0.5), workloadSeries('api', 1.5, { zone: 'a' }), { labels: labelsOf({ __name__: 'up', job: 'node' }), samples: [{ timestampMs: T, value: 1 }, { timestampMs: T + 1, value: 1 }] }];
    const result = accepted(preparer().prepare(job(encodeRemoteWriteBody(series), 'other')));
    const keyed = admissionSeries(result.admission);
    expect(keyed).toEqual(series.map((s) => ({ key: seriesKey(s.labels), metricName: s.labels[0].value, samples: s.samples.length })));
  });

  it('encodes the mapped series into envelopes, one per partition their entities hash to', () => {
    const series = ['web', 'api', 'worker', 'cron', 'db'].map((w, i) => workloadSeries(w, i + 0.25));
    const result = accepted(preparer().prepare(job(encodeRemoteWriteBody(series))));
    expect(result.acceptedSamples).toBe(5);
    expect(new Set(result.envelopes.map((e) => e.partition)).size).toBe(result.envelopes.length);
    const batches = result.envelopes.flatMap((e) => SampleBatches.decode(e.value).batches);
    expect(batches.map((b) => b.entity!.name).sort()).toEqual(['api', 'cron', 'db', 'web', 'worker']);
    for (const b of batches) {
      expect(b.entity).toMatchObject({ tenant: 'acme', cluster: 'c1', namespace: 'shop' });
      expect(b.source).toBe('remote_write');
      expect(b.series[0].samples).toEqual([{ timestampMs: T, value: expect.any(Number) }]);
    }
  });

  it('hands series a mapping source reads to the raw mapper, and sums the others per cluster', () => {
    const cadvisor = { __name__: 'container_cpu_usage_seconds_total', namespace: 'shop', pod: 'web-1', container: 'app', image: 'x' };
    const body = encodeRemoteWriteBody([
      { labels: labelsOf(cadvisor), samples: [{ timestampMs: T, value: 10 }] },
      { labels: labelsOf({ __name__: 'http_requests_total', cluster: 'c2', job: 'a' }), samples: [{ timestampMs: T - 10, value: 1 }, { timestampMs: T + 20, value: 2 }] },
      { labels: labelsOf({ __name__: 'http_requests_total', cluster: 'c2', job: 'b' }), samples: [{ timestampMs: T + 90, value: NaN }] },
      { labels: labelsOf({ __name__: 'process_open_fds' }), samples: [{ timestampMs: T + 5, value: 3 }] },
    ]);
    const result = accepted(preparer().prepare(job(body, 'other')));
    expect(result.unmappedSeries).toBe(4);
    expect(result.raw.map((s) => s.metricName)).toEqual(['container_cpu_usage_seconds_total']);
    // The newest finite value's timestamp: the NaN at T + 90 does not advance the clock.
    expect(result.unread).toEqual([
      { cluster: 'c2', samples: 3, maxTimestampMs: T + 20 },
      { cluster: undefined, samples: 1, maxTimestampMs: T + 5 },
    ]);
    expect(result.envelopes).toEqual([]);
  });

  it('counts non-finite values and invalid timestamps of mapped series without publishing them', () => {
    const body = encodeRemoteWriteBody([{ labels: workloadSeries('web', 0).labels, samples: [{ timestampMs: T, value: Infinity }, { timestampMs: -5, value: 1 }, { timestampMs: T + 1, value: 2 }] }]);
    const result = accepted(preparer().prepare(job(body)));
    expect({ accepted: result.acceptedSamples, nonFinite: result.nonFiniteSamples, invalid: result.invalidTimestamps }).toEqual({ accepted: 1, nonFinite: 1, invalid: 1 });
  });
});
