import { EntityKind, METRICS } from '@prescient/contracts';
import type { DecodedSeries } from '../remote-write';
import { MAPPING_METRICS } from './canonical-metrics';
import { EntityMapper, EntitySample, MappingInputSeries, MappingResult } from './entity-mapper';
import { toEntityBatches } from './entity-batches';
import { MappingStats, UNMAPPED_REASONS, emptyStats } from './mapping-stats';
import {
  NODE_A,
  NODE_B,
  STEP,
  T0,
  cadvisorLabels,
  dcgmLabels,
  jobOwner,
  kafkaLabels,
  nodeExporterLabels,
  nodeInfo,
  pauseLabels,
  podCgroupLabels,
  podInfo,
  podOwner,
  points,
  replicaSetOwner,
  resource,
  series,
} from './mapping.fixtures';

const MiB = 1024 * 1024;
const SCRAPE = 30_000;

/** Runs writes in order, then flush(Infinity); returns every sample and the summed stats. */
function run(mapper: EntityMapper, writes: MappingInputSeries[][], tenant = 'acme'): { samples: EntitySample[]; stats: MappingStats; results: MappingResult[] } {
  const results = writes.map((w) => mapper.ingest(tenant, w));
  results.push(mapper.flush(Infinity));
  return { samples: results.flatMap((r) => r.samples), stats: sumStats(results.map((r) => r.stats)), results };
}

function sumStats(all: MappingStats[]): MappingStats {
  const total = emptyStats();
  for (const s of all) {
    total.samplesIn += s.samplesIn;
    total.used += s.used;
    total.stepsClosed += s.stepsClosed;
    total.incompleteSteps += s.incompleteSteps;
    for (const r of UNMAPPED_REASONS) total.unmapped[r] += s.unmapped[r];
  }
  total.held = all[all.length - 1]?.held ?? 0;
  return total;
}

function accounted(stats: MappingStats): number {
  return stats.used + UNMAPPED_REASONS.reduce((n, r) => n + stats.unmapped[r], 0);
}

function valueOf(samples: EntitySample[], name: string, metric: string, step = T0): number | undefined {
  const found = samples.filter((s) => s.entity.name === name && s.metric === metric && s.timestampMs === step);
  if (found.length > 1) throw new Error(`${found.length} values for ${name} ${metric} @${step}`);
  return found[0]?.value;
}

/** A CPU counter of a container: `coresPerContainer` cores, one sample every 30 s over [from, from + n·30 s). */
function cpu(ns: string, pod: string, container: string, from: number, n: number, cores: number, start = 1000): MappingInputSeries {
  const i0 = Math.round((from - T0) / SCRAPE);
  return series('container_cpu_usage_seconds_total', { ...cadvisorLabels(ns, pod, container), cpu: 'total' }, points(from, n, SCRAPE, (i) => start + (i0 + i) * cores * 30));
}

function mem(ns: string, pod: string, container: string, from: number, n: number, bytes: number): MappingInputSeries {
  return series('container_memory_working_set_bytes', cadvisorLabels(ns, pod, container), points(from, n, SCRAPE, () => bytes));
}

const mapper = (extra: Partial<ConstructorParameters<typeof EntityMapper>[0]> = {}) => new EntityMapper({ defaultCluster: 'prod', ...extra });

describe('EntityMapper: a Deployment of two pods with a sidecar each', () => {
  const owners = (t: number) => [
    podOwner('shop', 'api-7c9d8f6b5-x2x7k', 'ReplicaSet', 'api-7c9d8f6b5', t),
    podOwner('shop', 'api-7c9d8f6b5-q8w4n', 'ReplicaSet', 'api-7c9d8f6b5', t),
    replicaSetOwner('shop', 'api-7c9d8f6b5', 'Deployment', 'api', t),
  ];
  // Step 0 = [T0, T0+5m): ten scrapes; the write of the next step brings the sample at T0+5m that
  // closes the last interval, and moves the workload's watermark past the step's end + 1 minute.
  const write = (from: number, n: number) => [
    ...owners(from),
    cpu('shop', 'api-7c9d8f6b5-x2x7k', 'api', from, n, 0.5),
    cpu('shop', 'api-7c9d8f6b5-x2x7k', 'istio-proxy', from, n, 0.1),
    cpu('shop', 'api-7c9d8f6b5-q8w4n', 'api', from, n, 0.3),
    cpu('shop', 'api-7c9d8f6b5-q8w4n', 'istio-proxy', from, n, 0.1),
    mem('shop', 'api-7c9d8f6b5-x2x7k', 'api', from, n, 400 * MiB),
    mem('shop', 'api-7c9d8f6b5-x2x7k', 'istio-proxy', from, n, 100 * MiB),
    mem('shop', 'api-7c9d8f6b5-q8w4n', 'api', from, n, 600 * MiB),
    mem('shop', 'api-7c9d8f6b5-q8w4n', 'istio-proxy', from, n, 100 * MiB),
    // What cAdvisor also emits and must not be counted twice: the pod cgroup and the sandbox.
    series('container_cpu_usage_seconds_total', { ...podCgroupLabels('shop', 'api-7c9d8f6b5-x2x7k'), cpu: 'total' }, points(from, n, SCRAPE, (i) => 5000 + i * 18)),
    series('container_memory_working_set_bytes', podCgroupLabels('shop', 'api-7c9d8f6b5-x2x7k'), points(from, n, SCRAPE, () => 520 * MiB)),
    series('container_memory_working_set_bytes', pauseLabels('shop', 'api-7c9d8f6b5-x2x7k'), points(from, n, SCRAPE, () => 1 * MiB)),
  ];

  it('sums CPU cores and working set over pods and containers, and keeps the largest pod', () => {
    const { samples, stats } = run(mapper(), [write(T0, 10), write(T0 + STEP, 4)]);
    const wl = samples.find((s) => s.entity.name === 'api')?.entity;
    expect(wl).toEqual({ tenant: 'acme', kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: 'prod', namespace: 'shop', workloadKind: 'Deployment', name: 'api' });
    expect(valueOf(samples, 'api', METRICS.cpuUsageCores)).toBeCloseTo(1.0, 9);
    expect(valueOf(samples, 'api', METRICS.memoryWorkingSetBytes)).toBeCloseTo(1200 * MiB, 3);
    expect(valueOf(samples, 'api', MAPPING_METRICS.memoryWorkingSetMaxPodBytes)).toBe(700 * MiB);
    expect(stats.unmapped.excluded).toBe(3 * 14);
    expect(accounted(stats)).toBe(stats.samplesIn);
  });

  it('emits a step only once the workload has moved a close delay past its end', () => {
    const m = mapper();
    expect(m.ingest('acme', write(T0, 10)).samples).toEqual([]);
    // T0+5m and T0+5m30s: past the end, not yet by the 1-minute delay.
    expect(m.ingest('acme', write(T0 + STEP, 2)).samples).toEqual([]);
    const closing = m.ingest('acme', write(T0 + STEP + 2 * SCRAPE, 1));
    expect(closing.samples.map((s) => s.metric).sort()).toEqual([METRICS.cpuUsageCores, MAPPING_METRICS.memoryWorkingSetMaxPodBytes, METRICS.memoryWorkingSetBytes].sort());
    expect(closing.samples.every((s) => s.timestampMs === T0)).toBe(true);
    expect(closing.stats.stepsClosed).toBe(1);
  });

  it('counts a sample for an already emitted step as late', () => {
    const m = mapper();
    m.ingest('acme', write(T0, 10));
    m.ingest('acme', write(T0 + STEP, 3));
    const late = m.ingest('acme', [mem('shop', 'api-7c9d8f6b5-x2x7k', 'sidecar-late', T0 + 60_000, 1, MiB), mem('shop', 'api-7c9d8f6b5-x2x7k', 'sidecar-late', T0 + 90_000, 1, MiB)]);
    // The first sample is a baseline whose only piece (its peak) is for the closed step; the second's too.
    expect(late.stats.unmapped.late).toBe(2);
  });

  it('does not count a retried write twice', () => {
    const m = mapper();
    const w = write(T0, 10);
    m.ingest('acme', w);
    const retry = m.ingest('acme', w);
    // Gauges and counters refuse the replay; the peak-per-pod cells are idempotent anyway.
    expect(retry.stats.unmapped.out_of_order).toBe(8 * 10);
    const { samples } = run(m, [write(T0 + STEP, 4)]);
    expect(valueOf(samples, 'api', METRICS.cpuUsageCores)).toBeCloseTo(1.0, 9);
  });

  it('groups the samples into one batch per entity', () => {
    const { samples } = run(mapper(), [write(T0, 10), write(T0 + STEP, 4)]);
    const batches = toEntityBatches(samples);
    expect(batches).toHaveLength(1);
    expect(batches[0].series.find((s) => s.metric === METRICS.cpuUsageCores)?.samples.map((p) => p.timestampMs)).toEqual([T0, T0 + STEP]);
  });
});

describe('EntityMapper: counters become rates across resets', () => {
  // [case, counter values every 30 s over step 0 and the first sample of step 1, expected cores]
  it.each([
    ['steady 0.5 cores', [0, 15, 30, 45, 60, 75, 90, 105, 120, 135, 150], 0.5],
    ['a container restart mid-step (drop to 3: +3, not −)', [100, 115, 130, 145, 160, 3, 18, 33, 48, 63, 78], (9 * 15 + 3) / 300],
    ['a restart to 0', [100, 115, 130, 145, 160, 0, 15, 30, 45, 60, 75], (9 * 15) / 300],
    ['idle', [42, 42, 42, 42, 42, 42, 42, 42, 42, 42, 42], 0],
  ])('%s', (_, values, cores) => {
    const m = mapper();
    const c = (from: number, vs: number[]) => series('container_cpu_usage_seconds_total', { ...cadvisorLabels('batch', 'worker-0', 'worker'), cpu: 'total' }, vs.map((v, i) => [from + i * SCRAPE, v] as [number, number]));
    const { samples } = run(m, [[podOwner('batch', 'worker-0', 'StatefulSet', 'worker', T0), c(T0, values)]]);
    expect(valueOf(samples, 'worker', METRICS.cpuUsageCores)).toBeCloseTo(cores, 9);
  });

  it('spreads an interval that crosses a step boundary over both steps', () => {
    const m = mapper();
    // One sample 4m45s into step 0 and the next 15 s into step 1: 30 CPU-seconds over 30 s.
    const s = series('container_cpu_usage_seconds_total', { ...cadvisorLabels('ns', 'p', 'c'), cpu: 'total' }, [[T0 + 285_000, 100], [T0 + 315_000, 130], [T0 + 345_000, 160]]);
    const { samples } = run(m, [[podOwner('ns', 'p', '<none>', '<none>', T0), s]]);
    // Step 0 saw [4m45s, 5m): 15 CPU-seconds in 15 s; step 1 [5m, 5m45s): 45 in 45 s.
    expect(valueOf(samples, 'p', METRICS.cpuUsageCores, T0)).toBeCloseTo(1, 9);
    expect(valueOf(samples, 'p', METRICS.cpuUsageCores, T0 + STEP)).toBeCloseTo(1, 9);
  });
});

describe('EntityMapper: owner chains end to end', () => {
  // [case, KSM series naming the owner, pod, expected kind and name]
  it.each([
    ['Deployment via ReplicaSet', [podOwner('shop', 'web-6d5f7-abcde', 'ReplicaSet', 'web-6d5f7', T0), replicaSetOwner('shop', 'web-6d5f7', 'Deployment', 'web', T0)], 'web-6d5f7-abcde', ['Deployment', 'web']],
    ['StatefulSet', [podOwner('data', 'postgres-1', 'StatefulSet', 'postgres', T0)], 'postgres-1', ['StatefulSet', 'postgres']],
    ['DaemonSet', [podOwner('kube-system', 'fluent-bit-9xk2p', 'DaemonSet', 'fluent-bit', T0)], 'fluent-bit-9xk2p', ['DaemonSet', 'fluent-bit']],
    ['CronJob via Job', [podOwner('batch', 'report-28391520-7wq2x', 'Job', 'report-28391520', T0), jobOwner('batch', 'report-28391520', 'CronJob', 'report', T0)], 'report-28391520-7wq2x', ['CronJob', 'report']],
    ['bare Pod', [podOwner('dev', 'debug-shell', '<none>', '<none>', T0)], 'debug-shell', ['Pod', 'debug-shell']],
    ['kube_pod_info only (created_by_*)', [podInfo('data', 'redis-0', NODE_A, '10.0.1.12', 'StatefulSet', 'redis', T0)], 'redis-0', ['StatefulSet', 'redis']],
  ] as const)('%s', (_, ksm, pod, [kind, name]) => {
    const ns = ksm[0].labels.find((l) => l.name === 'namespace')?.value as string;
    const { samples } = run(mapper(), [[...ksm, mem(ns, pod, 'main', T0, 12, 64 * MiB)]]);
    const entity = samples.find((s) => s.metric === METRICS.memoryWorkingSetBytes)?.entity;
    expect(entity).toMatchObject({ kind: EntityKind.ENTITY_KIND_WORKLOAD, namespace: ns, workloadKind: kind, name });
  });

  it('holds samples until the owner arrives in a later write, then uses them', () => {
    const m = mapper();
    const first = m.ingest('acme', [mem('shop', 'api-1', 'api', T0, 4, 100 * MiB)]);
    // Even the first sample (a baseline for the time average) carries the pod's peak: all four wait.
    expect(first.stats).toMatchObject({ used: 0, held: 4 });
    const second = m.ingest('acme', [podOwner('shop', 'api-1', 'ReplicaSet', 'api-rs', T0 + 90_000), replicaSetOwner('shop', 'api-rs', 'Deployment', 'api', T0 + 90_000)]);
    expect(second.stats).toMatchObject({ used: 2 + 4, held: 0 });
    const { samples } = run(m, []);
    expect(valueOf(samples, 'api', METRICS.memoryWorkingSetBytes)).toBeCloseTo(100 * MiB, 3);
  });

  it('gives up a pod whose owner never arrives after the hold time, and counts it', () => {
    const m = mapper({ pendingHoldMs: 60_000 });
    m.ingest('acme', [mem('shop', 'orphan', 'c', T0, 2, MiB)]);
    // Sample time moves on (another series): the held samples are older than the hold time.
    const later = m.ingest('acme', [mem('other', 'x', 'c', T0 + 200_000, 1, MiB)]);
    expect(later.stats.unmapped.owner_unknown).toBe(2);
  });

  it('pushes out the oldest held samples when the hold buffer is full', () => {
    const m = mapper({ maxPendingSamples: 5 });
    const r = m.ingest('acme', [mem('shop', 'a', 'c', T0, 4, MiB), mem('shop', 'b', 'c', T0, 4, MiB)]);
    expect(r.stats.unmapped.pending_overflow).toBe(3);
    expect(m.sizes().pendingSamples).toBe(5);
    expect(accounted(run(m, []).stats) + accounted(r.stats)).toBe(8);
  });

  it('never resolves a pod of one tenant with the owners of another', () => {
    const m = mapper();
    m.ingest('acme', [podOwner('shop', 'api-1', 'DaemonSet', 'api', T0)]);
    const { stats } = run(m, [[mem('shop', 'api-1', 'api', T0, 3, MiB)]], 'globex');
    expect(stats.unmapped.owner_unknown).toBe(3);
  });

  it('takes the cluster from the `cluster` label', () => {
    const m = mapper();
    const withCluster = (s: MappingInputSeries) => ({ ...s, labels: [...s.labels, { name: 'cluster', value: 'eu-1' }] });
    const { samples } = run(m, [[withCluster(podOwner('ns', 'p', 'DaemonSet', 'agent', T0)), withCluster(mem('ns', 'p', 'c', T0, 3, MiB))]]);
    expect(samples[0].entity.cluster).toBe('eu-1');
  });
});

describe('EntityMapper: requests, limits and replicas (kube-state-metrics)', () => {
  it('sums containers per pod and takes the largest pod; replicas from the spec', () => {
    const t = T0 + 30_000;
    const pods = ['api-7c9d8f6b5-x2x7k', 'api-7c9d8f6b5-q8w4n'];
    const write = [
      ...pods.map((p) => podOwner('shop', p, 'ReplicaSet', 'api-7c9d8f6b5', t)),
      replicaSetOwner('shop', 'api-7c9d8f6b5', 'Deployment', 'api', t),
      ...pods.flatMap((p, i) => [
        resource('requests', 'shop', p, 'api', 'cpu', 0.25 + i * 0.25, t),
        resource('requests', 'shop', p, 'istio-proxy', 'cpu', 0.1, t),
        resource('requests', 'shop', p, 'api', 'memory', 256 * MiB, t),
        resource('requests', 'shop', p, 'istio-proxy', 'memory', 128 * MiB, t),
        resource('limits', 'shop', p, 'api', 'cpu', 1, t),
        resource('limits', 'shop', p, 'api', 'memory', 512 * MiB, t),
        resource('requests', 'shop', p, 'api', 'ephemeral_storage', 1e9, t),
      ]),
      series('kube_deployment_spec_replicas', { job: 'kube-state-metrics', namespace: 'shop', deployment: 'api' }, [[t, 2]]),
      series('kube_statefulset_replicas', { job: 'kube-state-metrics', namespace: 'data', statefulset: 'postgres' }, [[t, 3]]),
      series('kube_daemonset_status_desired_number_scheduled', { job: 'kube-state-metrics', namespace: 'kube-system', daemonset: 'fluent-bit' }, [[t, 6]]),
    ];
    const { samples, stats } = run(mapper(), [write]);
    expect(valueOf(samples, 'api', MAPPING_METRICS.cpuRequestCores)).toBeCloseTo(0.6, 12); // 0.5 + 0.1 (the larger pod)
    expect(valueOf(samples, 'api', MAPPING_METRICS.memoryRequestBytes)).toBe(384 * MiB);
    expect(valueOf(samples, 'api', MAPPING_METRICS.cpuLimitCores)).toBe(1);
    expect(valueOf(samples, 'api', MAPPING_METRICS.memoryLimitBytes)).toBe(512 * MiB);
    expect(valueOf(samples, 'api', MAPPING_METRICS.replicas)).toBe(2);
    expect(samples.find((s) => s.entity.name === 'postgres')).toMatchObject({ entity: { workloadKind: 'StatefulSet' }, metric: MAPPING_METRICS.replicas, value: 3 });
    expect(valueOf(samples, 'fluent-bit', MAPPING_METRICS.replicas)).toBe(6);
    expect(stats.unmapped.excluded).toBe(2); // ephemeral_storage
  });
});

describe('EntityMapper: OOM kills', () => {
  const ns = 'shop';
  const pod = 'cache-0';
  const owner = podOwner(ns, pod, 'StatefulSet', 'cache', T0);
  const oomEvents = (values: number[]) => series('container_oom_events_total', cadvisorLabels(ns, pod, 'redis'), values.map((v, i) => [T0 + i * SCRAPE, v] as [number, number]));
  const restarts = (values: number[]) => series('kube_pod_container_status_restarts_total', { job: 'kube-state-metrics', namespace: ns, pod, container: 'redis', uid: 'u' }, values.map((v, i) => [T0 + i * SCRAPE, v] as [number, number]));
  const lastReason = (reason: string) => series('kube_pod_container_status_last_terminated_reason', { job: 'kube-state-metrics', namespace: ns, pod, container: 'redis', uid: 'u', reason }, [[T0 + 60_000, 1]]);

  it.each([
    ['cAdvisor OOM events', [owner, oomEvents([0, 0, 1, 1, 2])], 2],
    ['restarts after an OOMKilled termination', [owner, lastReason('OOMKilled'), restarts([3, 3, 4, 4, 4])], 1],
    ['both: the larger count, not the sum', [owner, lastReason('OOMKilled'), restarts([3, 3, 4, 4, 4]), oomEvents([5, 5, 6, 6, 6])], 1],
    ['restarts for another reason are not OOM kills', [owner, lastReason('Error'), restarts([3, 3, 4, 4, 4])], undefined],
  ] as const)('%s', (_, write, kills) => {
    const { samples } = run(mapper(), [[...write]]);
    expect(valueOf(samples, 'cache', MAPPING_METRICS.oomKills)).toBe(kills);
  });
});

describe('EntityMapper: nodes (node-exporter, kube-state-metrics)', () => {
  const cpuModes = (instance: string, from: number, n: number, extra: Record<string, string> = {}) =>
    ['0', '1'].flatMap((cpu) =>
      Object.entries({ idle: 18, iowait: 2, user: 8, system: 2 }).map(([mode, perScrape]) =>
        series('node_cpu_seconds_total', nodeExporterLabels(instance, { cpu, mode, ...extra }), points(from, n, SCRAPE, (i) => 1e6 + i * perScrape)),
      ),
    );
  const memory = (instance: string, from: number, n: number, extra: Record<string, string> = {}) => [
    series('node_memory_MemTotal_bytes', nodeExporterLabels(instance, extra), points(from, n, SCRAPE, () => 16 * 1024 * MiB)),
    series('node_memory_MemAvailable_bytes', nodeExporterLabels(instance, extra), points(from, n, SCRAPE, () => 10 * 1024 * MiB)),
  ];

  it.each([
    ['instance is the node IP (hostNetwork), resolved via kube_node_info internal_ip', '10.0.1.12:9100', {}],
    ['instance relabelled to the node name (kube-prometheus)', `${NODE_A}:9100`, {}],
    ['a `node` label on the series', 'whatever:9100', { node: NODE_A }],
  ])('%s', (_, instance, extra) => {
    const write = [
      nodeInfo(NODE_A, '10.0.1.12', T0),
      ...cpuModes(instance, T0, 12, extra),
      ...memory(instance, T0, 12, extra),
      series('kube_node_status_allocatable', { job: 'kube-state-metrics', node: NODE_A, resource: 'cpu', unit: 'core' }, [[T0, 1.93]]),
      series('kube_node_status_allocatable', { job: 'kube-state-metrics', node: NODE_A, resource: 'memory', unit: 'byte' }, [[T0, 15_136_530_432]]),
      series('kube_node_status_allocatable', { job: 'kube-state-metrics', node: NODE_A, resource: 'pods', unit: 'integer' }, [[T0, 29]]),
    ];
    const { samples } = run(mapper(), [write]);
    expect(samples.find((s) => s.entity.kind === EntityKind.ENTITY_KIND_NODE)?.entity).toEqual({ tenant: 'acme', kind: EntityKind.ENTITY_KIND_NODE, cluster: 'prod', namespace: '', workloadKind: '', name: NODE_A });
    // Not busy = idle + iowait (+ steal): 20 of 30 CPU-seconds per scrape and CPU.
    expect(valueOf(samples, NODE_A, METRICS.nodeCpuUtilisationRatio)).toBeCloseTo(1 / 3, 9);
    expect(valueOf(samples, NODE_A, MAPPING_METRICS.nodeMemoryUsedBytes)).toBeCloseTo(6 * 1024 * MiB, 3);
    expect(valueOf(samples, NODE_A, METRICS.nodeMemoryUtilisationRatio)).toBeCloseTo(6 / 16, 9);
    expect(valueOf(samples, NODE_A, MAPPING_METRICS.nodeCpuAllocatableCores)).toBe(1.93);
    expect(valueOf(samples, NODE_A, MAPPING_METRICS.nodeMemoryAllocatableBytes)).toBe(15_136_530_432);
  });

  it('counts node-exporter series whose instance matches no node as node_unknown', () => {
    const { stats } = run(mapper(), [memory('10.9.9.9:9100', T0, 3)]);
    expect(stats.unmapped.node_unknown).toBe(4); // 2 series × 3 samples, less the 2 baselines
  });

  it('counts a step with MemTotal but no MemAvailable as incomplete', () => {
    const { samples, stats } = run(mapper(), [[nodeInfo(NODE_A, '10.0.1.12', T0), memory('10.0.1.12:9100', T0, 4)[0]]]);
    expect(valueOf(samples, NODE_A, MAPPING_METRICS.nodeMemoryUsedBytes)).toBeUndefined();
    expect(stats.incompleteSteps).toBe(1);
  });
});

describe('EntityMapper: GPUs (DCGM exporter)', () => {
  const trainer = { namespace: 'ml', pod: 'trainer-0', container: 'pytorch' };
  const gpu = (metric: string, id: string, k8s: typeof trainer | undefined, value: number, extra: Record<string, string> = {}) => series(metric, dcgmLabels(id, k8s, extra), points(T0, 12, SCRAPE, () => value));

  it('maps a pod’s GPUs to its workload: mean utilisation, summed frame buffer; and to the node', () => {
    const write = [
      podOwner('ml', 'trainer-0', 'StatefulSet', 'trainer', T0),
      gpu('DCGM_FI_DEV_GPU_UTIL', '0', trainer, 80, { node: NODE_B }),
      gpu('DCGM_FI_DEV_GPU_UTIL', '1', trainer, 60, { node: NODE_B }),
      gpu('DCGM_FI_DEV_FB_USED', '0', trainer, 20_000, { node: NODE_B }),
      gpu('DCGM_FI_DEV_FB_USED', '1', trainer, 10_000, { node: NODE_B }),
      gpu('DCGM_FI_DEV_GPU_UTIL', '2', undefined, 0, { node: NODE_B }), // an idle, unassigned GPU
    ];
    const { samples } = run(mapper(), [write]);
    expect(valueOf(samples, 'trainer', MAPPING_METRICS.gpuUtilisationRatio)).toBeCloseTo(0.7, 9);
    expect(valueOf(samples, 'trainer', MAPPING_METRICS.gpuMemoryUsedBytes)).toBeCloseTo(30_000 * MiB, 3);
    expect(valueOf(samples, NODE_B, MAPPING_METRICS.gpuUtilisationRatio)).toBeCloseTo(140 / 300, 9);
  });

  it('reads exported_* labels when Prometheus kept the exporter pod’s own', () => {
    const labels = { exported_namespace: 'ml', exported_pod: 'trainer-0', exported_container: 'pytorch', namespace: 'gpu-operator', pod: 'nvidia-dcgm-exporter-8wq9z', container: 'nvidia-dcgm-exporter' };
    const { samples } = run(mapper(), [[podOwner('ml', 'trainer-0', 'StatefulSet', 'trainer', T0), gpu('DCGM_FI_DEV_GPU_UTIL', '0', undefined, 50, labels)]]);
    expect(valueOf(samples, 'trainer', MAPPING_METRICS.gpuUtilisationRatio)).toBeCloseTo(0.5, 9);
  });

  it('resolves an unassigned GPU to its node by Hostname when it is a node name', () => {
    const { samples } = run(mapper(), [[nodeInfo(NODE_B, '10.0.2.33', T0), gpu('DCGM_FI_DEV_FB_USED', '0', undefined, 1024, { Hostname: NODE_B })]]);
    expect(valueOf(samples, NODE_B, MAPPING_METRICS.gpuMemoryUsedBytes)).toBeCloseTo(1024 * MiB, 3);
  });
});

describe('EntityMapper: Kafka consumer groups (kafka-exporter)', () => {
  const partitions = ['0', '1', '2'];
  const write = (from: number, n: number) => [
    ...partitions.map((p, i) => series('kafka_consumergroup_lag', kafkaLabels({ consumergroup: 'billing', topic: 'orders', partition: p }), points(from, n, SCRAPE, () => 100 * (i + 1)))),
    ...partitions.map((p) => series('kafka_consumergroup_current_offset', kafkaLabels({ consumergroup: 'billing', topic: 'orders', partition: p }), points(from, n, SCRAPE, (i) => 10_000 + ((from - T0) / SCRAPE + i) * 50))),
    ...partitions.map((p) => series('kafka_topic_partition_current_offset', kafkaLabels({ topic: 'orders', partition: p }), points(from, n, SCRAPE, (i) => 20_000 + ((from - T0) / SCRAPE + i) * 60))),
    series('kafka_topic_partition_current_offset', kafkaLabels({ topic: '__consumer_offsets', partition: '0' }), points(from, n, SCRAPE, () => 0)),
    series('kafka_consumergroup_current_offset', kafkaLabels({ consumergroup: 'idle-group', topic: 'orders', partition: '0' }), points(from, n, SCRAPE, () => -1)),
  ];

  it('sums lag over partitions, and turns committed and log-end offsets into rates', () => {
    const { samples, stats } = run(mapper(), [write(T0, 12)]);
    const group = samples.find((s) => s.entity.name === 'billing')?.entity;
    expect(group).toEqual({ tenant: 'acme', kind: EntityKind.ENTITY_KIND_CONSUMER_GROUP, cluster: 'prod', namespace: '', workloadKind: '', name: 'billing' });
    expect(valueOf(samples, 'billing', METRICS.kafkaLag)).toBeCloseTo(600, 9);
    expect(valueOf(samples, 'billing', METRICS.kafkaConsumptionRate)).toBeCloseTo(5, 9); // 3 × 50 per 30 s
    expect(valueOf(samples, 'billing', METRICS.kafkaProductionRate)).toBeCloseTo(6, 9); // 3 × 60 per 30 s
    // idle-group reads `orders` too, but has no committed offset (-1): its production still counts.
    expect(valueOf(samples, 'idle-group', METRICS.kafkaProductionRate)).toBeCloseTo(6, 9);
    expect(stats.unmapped.excluded).toBe(12 + 12); // __consumer_offsets (no group reads it) and the -1 offsets
  });
});

describe('EntityMapper: what is not mapped, and why', () => {
  it.each([
    ['a metric it does not read', series('up', { job: 'kubelet' }, [[T0, 1]]), 'unknown_metric'],
    ['a metric named like an Object property', series('constructor', { job: 'x' }, [[T0, 1]]), 'unknown_metric'],
    ['a recording rule (seriesToEntities maps those)', series('namespace_workload:container_cpu_usage_seconds_total:sum_rate', { namespace: 'a', workload: 'b', workload_type: 'deployment' }, [[T0, 1]]), 'unknown_metric'],
    ['the pause container (dockershim: container="POD")', series('container_memory_working_set_bytes', cadvisorLabels('a', 'p', 'POD'), [[T0, 1]]), 'excluded'],
    ['the pause container (containerd: no container label)', series('container_memory_working_set_bytes', pauseLabels('a', 'p'), [[T0, 1]]), 'excluded'],
    ['a per-CPU cAdvisor series', series('container_cpu_usage_seconds_total', { ...cadvisorLabels('a', 'p', 'c'), cpu: 'cpu03' }, [[T0, 1]]), 'excluded'],
    ['a cAdvisor container without pod/namespace (docker on the host)', series('container_memory_working_set_bytes', { container: 'c', id: '/docker/abc', instance: 'x' }, [[T0, 1]]), 'missing_labels'],
    ['kube_pod_owner without namespace', series('kube_pod_owner', { pod: 'p', owner_kind: 'DaemonSet', owner_name: 'd' }, [[T0, 1]]), 'missing_labels'],
    ['a lag series without consumergroup', series('kafka_consumergroup_lag', { topic: 't', partition: '0' }, [[T0, 1]]), 'missing_labels'],
    ['a NaN value', series('kube_pod_owner', { namespace: 'a', pod: 'p', owner_kind: 'DaemonSet', owner_name: 'd' }, [[T0, NaN]]), 'non_finite'],
  ] as const)('%s → %s', (_, s, reason) => {
    const r = mapper().ingest('acme', [s]);
    expect(r.stats.unmapped[reason]).toBe(1);
    expect(accounted(r.stats)).toBe(1);
  });

  it('counts a stale marker as non_finite but still closes the gauge’s last interval with it', () => {
    const m = mapper();
    const s = mem('ns', 'p', 'c', T0, 2, 64 * MiB);
    const stale = { ...s, samples: [...s.samples, { timestampMs: T0 + 45_000, value: NaN, stale: true }] };
    const { samples, stats } = run(m, [[podOwner('ns', 'p', '<none>', '<none>', T0), stale]]);
    expect(stats.unmapped.non_finite).toBe(1);
    // [T0, T0+45 s) observed at 64 MiB: the last 15 s come from the stale marker.
    expect(valueOf(samples, 'p', METRICS.memoryWorkingSetBytes)).toBeCloseTo(64 * MiB, 3);
  });
});

describe('EntityMapper input', () => {
  it('takes remote_write decoded series as they are (frozen, shared labels; stale flags)', () => {
    const decoded: DecodedSeries[] = [podOwner('ns', 'p', 'DaemonSet', 'agent', T0), mem('ns', 'p', 'c', T0, 3, MiB)].map((s) => ({
      labels: Object.freeze(s.labels.map((l) => Object.freeze({ ...l }))),
      metricName: s.metricName,
      samples: s.samples.map((p) => ({ timestampMs: p.timestampMs, value: p.value, stale: false })),
    }));
    const { samples } = run(mapper(), [decoded]);
    expect(valueOf(samples, 'agent', METRICS.memoryWorkingSetBytes)).toBeCloseTo(MiB, 3);
  });
});

describe('EntityMapper: bounded memory', () => {
  it('closes the least recently fed entity early instead of growing past maxOpenEntities', () => {
    const m = mapper({ maxOpenEntities: 2 });
    const write = ['a', 'b', 'c', 'd', 'e'].flatMap((p) => [podOwner('ns', p, 'DaemonSet', `ds-${p}`, T0), mem('ns', p, 'c', T0, 3, MiB)]);
    const r = m.ingest('acme', write);
    expect(m.sizes().openEntities).toBeLessThanOrEqual(2);
    expect(new Set(r.samples.map((s) => s.entity.name))).toEqual(new Set(['ds-a', 'ds-b', 'ds-c']));
  });

  it('keeps every index within its caps', () => {
    const m = mapper({ maxOwnerEntries: 10, maxSeries: 20, maxOpenEntities: 5, maxPendingSamples: 7 });
    for (let w = 0; w < 20; w++) {
      const t = T0 + w * SCRAPE;
      const write = Array.from({ length: 15 }, (_, i) => [podOwner('ns', `p${w}-${i}`, 'DaemonSet', `d${i}`, t), mem('ns', `p${w}-${i}`, 'c', t, 2, MiB), mem('ns', `q${w}-${i}`, 'c', t, 2, MiB)]).flat();
      m.ingest('acme', write);
      const s = m.sizes();
      expect(s.pods).toBeLessThanOrEqual(10);
      expect(s.series).toBeLessThanOrEqual(20);
      expect(s.openEntities).toBeLessThanOrEqual(5);
      expect(s.pendingSamples).toBeLessThanOrEqual(7);
    }
  });

  it('forgets everything at flush(Infinity)', () => {
    const m = mapper();
    run(m, [[podOwner('ns', 'p', 'DaemonSet', 'd', T0), mem('ns', 'p', 'c', T0, 3, MiB), mem('ns', 'q', 'c', T0, 3, MiB)]]);
    expect(m.sizes()).toEqual({ pods: 0, replicaSets: 0, jobs: 0, nodes: 0, nodeIps: 0, series: 0, pendingSamples: 0, openEntities: 0, topics: 0 });
  });

  it('refuses nonsensical options', () => {
    expect(() => mapper({ stepMs: 0 })).toThrow(RangeError);
    expect(() => mapper({ maxSeries: 1.5 })).toThrow(RangeError);
    expect(() => new EntityMapper({ defaultCluster: '' })).toThrow(RangeError);
  });
});
