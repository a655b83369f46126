/**
 * The two series fleets the ingestion benchmark sends, and the request bodies cut from them.
 *  - `cadvisor`: raw cAdvisor container series (13–14 labels) from libs/testing. Prescient decodes,
 *    validates them and hands them to the entity mapper, which, with no kube-state-metrics owner
 *    series in the fleet, resolves no pod to a workload: nothing is published to Kafka.
 *  - `workload`: `namespace_workload:container_cpu_usage_seconds_total:sum_rate`, one series per
 *    workload as kube-prometheus' recording rule produces it (namespace, workload, workload_type),
 *    with the cAdvisor/kubelet target labels and Prometheus' external labels a real remote_write
 *    carries, 13 labels in all. Every series maps to its own Workload entity, so each request fans
 *    out into 2 000 Kafka messages spread over the topic's partitions: the full publish path.
 */
// Relative on purpose: the @prescient/testing index also loads the Kafka/Postgres launchers.
import {
  buildCadvisorFleet,
  encodeRemoteWriteBody,
  encodeWriteRequest,
  fleetWriteRequests,
  type EncodableLabel,
  type EncodableSeries,
} from '../../../libs/testing/src/remote-write';
import { compressPatchable } from './patchable-snappy';

export type FleetKind = 'cadvisor' | 'workload';

export const FLEET_SERIES = 50_000;
export const SERIES_PER_REQUEST = 2_000;
/** Requests that cover the fleet once. */
export const REQUESTS_PER_CYCLE = FLEET_SERIES / SERIES_PER_REQUEST;

export const WORKLOAD_CPU_METRIC = 'namespace_workload:container_cpu_usage_seconds_total:sum_rate';

const TEAMS = ['payments', 'checkout', 'search', 'catalog', 'identity', 'billing', 'orders', 'shipping', 'ads', 'media'];
const ENVS = ['prod', 'staging', 'perf', 'dev'];
const ROLES = ['api', 'worker', 'consumer', 'gateway', 'scheduler', 'indexer', 'cache', 'web', 'cron', 'ml'];
const NODES = 200;

/** Deterministic labels for `count` distinct workload-aggregated CPU series (sorted by name). */
export function buildWorkloadFleet(count: number): EncodableLabel[][] {
  const fleet: EncodableLabel[][] = [];
  for (let i = 0; i < count; i++) {
    const namespace = `${TEAMS[i % TEAMS.length]}-${ENVS[(i >> 4) % ENVS.length]}-${(i >> 6) % 25}`;
    const role = ROLES[Math.floor(i / TEAMS.length) % ROLES.length];
    const workload = `${role}-${(i * 2654435761 >>> 0).toString(36).slice(0, 6)}-${i}`;
    const type = i % 10 < 7 ? 'deployment' : i % 10 < 9 ? 'statefulset' : 'daemonset';
    const node = i % NODES;
    const ip = `10.0.${node >> 8}.${node & 255}`;
    fleet.push([
      { name: '__name__', value: WORKLOAD_CPU_METRIC },
      { name: 'endpoint', value: 'https-metrics' },
      { name: 'image', value: `registry.example.com/${namespace}/${role}:1.${i % 7}.${i % 5}` },
      { name: 'instance', value: `${ip}:10250` },
      { name: 'job', value: 'kubelet' },
      { name: 'metrics_path', value: '/metrics/cadvisor' },
      { name: 'namespace', value: namespace },
      { name: 'node', value: `ip-${ip.replace(/\./g, '-')}.eu-west-1.compute.internal` },
      { name: 'prometheus', value: 'monitoring/kube-prometheus-stack-prometheus' },
      { name: 'prometheus_replica', value: 'prometheus-kube-prometheus-stack-prometheus-0' },
      { name: 'service', value: 'kube-prometheus-stack-kubelet' },
      { name: 'workload', value: workload },
      { name: 'workload_type', value: type },
    ]);
  }
  return fleet;
}

export function buildFleet(kind: FleetKind): EncodableLabel[][] {
  return kind === 'cadvisor' ? buildCadvisorFleet(FLEET_SERIES) : buildWorkloadFleet(FLEET_SERIES);
}

/** One cycle over the fleet: REQUESTS_PER_CYCLE requests of SERIES_PER_REQUEST series, one sample each. */
export function cycleRequests(kind: FleetKind, timestampMs: number): EncodableSeries[][] {
  return fleetWriteRequests(buildFleet(kind), REQUESTS_PER_CYCLE, { seriesPerRequest: SERIES_PER_REQUEST, startTimestampMs: timestampMs });
}

/** Bodies compressed by the snappy library, as Prometheus' sender compresses them (for in-process decoding). */
export function libraryBodies(kind: FleetKind, timestampMs = 1_700_000_000_000): Buffer[] {
  return cycleRequests(kind, timestampMs).map(encodeRemoteWriteBody);
}

/**
 * Each sample's `value` (fixed64) and `timestamp` (varint) as one 15-byte patchable range:
 * [0..7] the double, [8] the timestamp tag, [9..14] the timestamp varint (6 bytes for every
 * millisecond timestamp between 2004 and 2109).
 */
export const SAMPLE_PATCH_BYTES = 15;
const TIMESTAMP_VARINT_BYTES = 6;

export interface PatchableRequest {
  readonly body: Buffer;
  readonly patchOffsets: Int32Array;
  readonly series: number;
  /** Size of the same WriteRequest compressed by the snappy library, for comparison. */
  readonly libraryBodyBytes: number;
  readonly rawBytes: number;
}

/** Request bodies whose sample values and timestamps can be rewritten in place. */
export function patchableRequests(kind: FleetKind, timestampMs: number): PatchableRequest[] {
  return cycleRequests(kind, timestampMs).map((series) => {
    const raw = encodeWriteRequest(series);
    const starts = sampleRanges(raw);
    if (starts.length !== series.length) throw new Error(`found ${starts.length} samples in a request of ${series.length} series`);
    const { body, patchOffsets } = compressPatchable(raw, starts, SAMPLE_PATCH_BYTES);
    return { body, patchOffsets, series: series.length, libraryBodyBytes: encodeRemoteWriteBody(series).length, rawBytes: raw.length };
  });
}

/** Writes one sample (value, timestamp) into a patchable body at `offset`. */
export function patchSample(body: Buffer, offset: number, value: number, timestampMs: number): void {
  body.writeDoubleLE(value, offset);
  let ts = timestampMs;
  for (let i = 0; i < TIMESTAMP_VARINT_BYTES - 1; i++) {
    body[offset + 9 + i] = (ts % 128) | 0x80;
    ts = Math.floor(ts / 128);
  }
  if (ts >= 128) throw new RangeError(`timestamp ${timestampMs} does not fit a ${TIMESTAMP_VARINT_BYTES}-byte varint`);
  body[offset + 9 + TIMESTAMP_VARINT_BYTES - 1] = ts;
}

/**
 * Start of each sample's value bytes in a WriteRequest our encoder wrote (one sample per series,
 * value and timestamp always present, timestamp a 6-byte varint).
 */
function sampleRanges(raw: Buffer): Int32Array {
  const starts: number[] = [];
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = raw[pos++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  while (pos < raw.length) {
    const tag = varint();
    const seriesEnd = varint() + pos;
    if (tag !== 0x0a) throw new Error(`unexpected WriteRequest tag ${tag}`);
    while (pos < seriesEnd) {
      const fieldTag = varint();
      const length = varint();
      if (fieldTag === 0x12) {
        if (raw[pos] !== 0x09 || raw[pos + 9] !== 0x10 || length !== 1 + 8 + 1 + TIMESTAMP_VARINT_BYTES) {
          throw new Error('sample is not value + 6-byte timestamp');
        }
        starts.push(pos + 1);
      }
      pos += length;
    }
  }
  return Int32Array.from(starts);
}
