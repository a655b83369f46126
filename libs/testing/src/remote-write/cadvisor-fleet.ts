import type { EncodableLabel, EncodableSample, EncodableSeries } from './encode-write-request';

/** The per-container series cAdvisor exposes through the kubelet; cpu="total" only on CPU usage. */
const CADVISOR_METRICS = [
  'container_cpu_usage_seconds_total',
  'container_cpu_cfs_periods_total',
  'container_cpu_cfs_throttled_periods_total',
  'container_memory_working_set_bytes',
  'container_memory_rss',
  'container_memory_cache',
  'container_fs_reads_bytes_total',
  'container_fs_writes_bytes_total',
  'container_network_receive_bytes_total',
  'container_network_transmit_bytes_total',
] as const;
const CPU_LABELLED_METRIC = 'container_cpu_usage_seconds_total';

const NAMESPACES = ['payments', 'checkout', 'search', 'catalog', 'identity', 'kafka', 'monitoring', 'ingress'];
const WORKLOADS = ['api', 'worker', 'consumer', 'gateway', 'scheduler', 'indexer', 'cache', 'web'];
const CONTAINERS = ['app', 'istio-proxy'];
const PODS_PER_NODE = 25;

export interface CadvisorFleetOptions {
  /** Seed for the deterministic generator: the same seed gives byte-identical fleets. */
  readonly seed?: number;
}

/**
 * Label sets for `seriesCount` realistic cAdvisor series (13–14 labels, sorted as Prometheus sends them),
 * in the order a kubelet scrape exposes them: per node, metric family by metric family, every container
 * of every pod. `id`/`name` are long and unique per container; `job`/`endpoint`/`node`... are shared.
 */
export function buildCadvisorFleet(seriesCount: number, options: CadvisorFleetOptions = {}): EncodableLabel[][] {
  const random = mulberry32(options.seed ?? 42);
  const fleet: EncodableLabel[][] = [];
  for (let node = 0; fleet.length < seriesCount; node++) {
    const nodeLabels = describeNode(node);
    const pods = Array.from({ length: PODS_PER_NODE }, (_, pod) => describePod(random, node, pod));
    const containerIds = pods.map(() => CONTAINERS.map(() => hex(random, 64)));
    for (const metric of CADVISOR_METRICS) {
      pods.forEach((pod, podIndex) =>
        CONTAINERS.forEach((container, containerIndex) => {
          const containerId = containerIds[podIndex][containerIndex];
          if (fleet.length < seriesCount) fleet.push(cadvisorLabels(metric, container, containerId, nodeLabels, pod));
        }),
      );
    }
  }
  return fleet;
}

export interface FleetRequestOptions {
  readonly seriesPerRequest: number;
  readonly samplesPerSeries?: number;
  readonly startTimestampMs?: number;
  readonly scrapeIntervalMs?: number;
}

/**
 * Cuts the fleet into consecutive write requests (wrapping around), each series carrying
 * `samplesPerSeries` samples a scrape interval apart, as a remote_write shard sends them.
 */
export function fleetWriteRequests(
  fleet: readonly EncodableLabel[][],
  requestCount: number,
  options: FleetRequestOptions,
): EncodableSeries[][] {
  const { seriesPerRequest, samplesPerSeries = 1, startTimestampMs = 1_700_000_000_000 } = options;
  const intervalMs = options.scrapeIntervalMs ?? 15_000;
  const requests: EncodableSeries[][] = [];
  for (let request = 0; request < requestCount; request++) {
    const series: EncodableSeries[] = [];
    for (let i = 0; i < seriesPerRequest; i++) {
      const index = (request * seriesPerRequest + i) % fleet.length;
      series.push({ labels: fleet[index], samples: samplesFor(index, samplesPerSeries, startTimestampMs, intervalMs) });
    }
    requests.push(series);
  }
  return requests;
}

interface NodeLabels {
  readonly node: string;
  readonly instance: string;
}

interface PodLabels {
  readonly namespace: string;
  readonly pod: string;
  readonly podUid: string;
  readonly image: string;
}

function describeNode(node: number): NodeLabels {
  const ip = `10.${(node >> 16) & 255}.${(node >> 8) & 255}.${node & 255}`;
  return { node: `ip-${ip.replace(/\./g, '-')}.eu-west-1.compute.internal`, instance: `${ip}:10250` };
}

function describePod(random: () => number, node: number, pod: number): PodLabels {
  const namespace = NAMESPACES[(node + pod) % NAMESPACES.length];
  const workload = WORKLOADS[pod % WORKLOADS.length];
  return {
    namespace,
    pod: `${workload}-${hex(random, 10)}-${hex(random, 5)}`,
    podUid: `${hex(random, 8)}_${hex(random, 4)}_${hex(random, 4)}_${hex(random, 4)}_${hex(random, 12)}`,
    image: `registry.example.com/${namespace}/${workload}:1.${pod % 7}.${node % 5}`,
  };
}

function cadvisorLabels(
  metric: string,
  container: string,
  containerId: string,
  node: NodeLabels,
  pod: PodLabels,
): EncodableLabel[] {
  const labels: EncodableLabel[] = [
    { name: '__name__', value: metric },
    { name: 'container', value: container },
  ];
  if (metric === CPU_LABELLED_METRIC) labels.push({ name: 'cpu', value: 'total' });
  labels.push(
    { name: 'endpoint', value: 'https-metrics' },
    {
      name: 'id',
      value: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${pod.podUid}.slice/cri-containerd-${containerId}.scope`,
    },
    { name: 'image', value: container === 'app' ? pod.image : 'docker.io/istio/proxyv2:1.22.3' },
    { name: 'instance', value: node.instance },
    { name: 'job', value: 'kubelet' },
    { name: 'metrics_path', value: '/metrics/cadvisor' },
    { name: 'name', value: containerId },
    { name: 'namespace', value: pod.namespace },
    { name: 'node', value: node.node },
    { name: 'pod', value: pod.pod },
    { name: 'service', value: 'kube-prometheus-stack-kubelet' },
  );
  return labels;
}

function samplesFor(index: number, count: number, startMs: number, intervalMs: number): EncodableSample[] {
  const samples: EncodableSample[] = [];
  for (let i = 0; i < count; i++) samples.push({ timestampMs: startMs + i * intervalMs, value: index * 1.5 + i });
  return samples;
}

function hex(random: () => number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += ((random() * 16) | 0).toString(16);
  return text;
}

/** Small deterministic PRNG so fleets are reproducible across runs and machines. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
