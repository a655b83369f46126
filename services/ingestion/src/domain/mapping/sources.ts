import { EntityKind, EntityRef, consumerGroupRef, workloadRef } from '@prescient/contracts';
import { GroupTopics } from './group-topics';
import { MappingLabel, firstLabel, hostOf, labelValue } from './labels';
import { UnmappedReason } from './mapping-stats';
import { OwnerIndex } from './owner-index';
import { AccumulatorId } from './step-cells';

/**
 * The source metrics the mapper reads, as their exporters emit them, and where each goes.
 * MAPPING.md (beside this file) is the table; the label names are from the exporters' docs:
 * - cAdvisor via the kubelet (`/metrics/cadvisor`): `container`, `pod`, `namespace` (+ `id`,
 *   `image`, `name`, and `cpu="total"` on CPU) — https://github.com/google/cadvisor/blob/master/docs/storage/prometheus.md.
 *   Series without `container` are the pod's or a slice's cgroup, `container="POD"` is the pause
 *   container: both would double count and are excluded, as kube-prometheus' rules do (`container!=""`, `image!=""`).
 * - kube-state-metrics — https://github.com/kubernetes/kube-state-metrics/tree/main/docs/metrics
 *   (`kube_pod_container_resource_requests{resource,unit,container,pod,namespace,node}` with unit
 *   `core` / `byte`, `kube_deployment_spec_replicas{deployment}`, `kube_statefulset_replicas{statefulset}`,
 *   `kube_node_status_allocatable{node,resource,unit}`, …); owner metrics feed the OwnerIndex.
 * - node-exporter: `node_cpu_seconds_total{cpu,mode}`, `node_memory_MemTotal_bytes`,
 *   `node_memory_MemAvailable_bytes`; the node is the target's `instance` (an IP:port, or the node
 *   name where kube-prometheus relabels it so) unless a `node` label is present.
 * - DCGM exporter: `DCGM_FI_DEV_GPU_UTIL` (%), `DCGM_FI_DEV_FB_USED` (MiB) with `gpu`, `UUID`,
 *   `device`, `modelName`, `Hostname`, and in Kubernetes mode `namespace`, `pod`, `container`
 *   (`exported_*` when Prometheus kept the target's own labels, `pod_namespace`/`pod_name` in old releases).
 * - kafka-exporter: `kafka_consumergroup_lag{consumergroup,topic,partition}`,
 *   `kafka_consumergroup_current_offset{…}` (-1 = no committed offset), `kafka_topic_partition_current_offset{topic,partition}`
 *   — https://github.com/danielqsj/kafka_exporter#metrics.
 */

export type Target =
  | { kind: 'entity'; entity: EntityRef }
  | { kind: 'pod'; namespace: string; pod: string }
  | { kind: 'host'; hosts: string[] };

export type ValueKind =
  /** Counter → increases spread over the steps they span, per second at close. */
  | { type: 'counterRate'; acc: AccumulatorId; rejectNegative?: boolean }
  /** Counter → whole increases counted in the step of the later sample. */
  | { type: 'counterCount'; acc: AccumulatorId }
  /** Gauge → value × time held, averaged at close; optionally also the per-pod peak. */
  | { type: 'gauge'; acc: AccumulatorId; scale: number; podMaxAcc?: AccumulatorId; rejectNegative?: boolean }
  /** Spec gauge per container → newest value per container, summed per pod, largest pod. */
  | { type: 'podLast'; acc: AccumulatorId }
  /** Spec gauge of the entity → newest value. */
  | { type: 'last'; acc: AccumulatorId }
  /** kube_pod_container_status_restarts_total → OOM kills while the last termination was OOMKilled. */
  | { type: 'ksmRestarts' }
  /** node_cpu_seconds_total → all modes, and separately the not-busy ones. */
  | { type: 'nodeCpu'; idle: boolean };

export interface Route {
  /** The first target decides how the sample is counted; others (a GPU's node) only receive it. */
  targets: Target[];
  value: ValueKind;
  /** `namespace/pod` and container, for per-pod cells and the OOM flag. */
  pod?: { namespace: string; pod: string; container: string };
}

export interface SourceContext {
  tenant: string;
  cluster: string;
  scope: string;
  nowMs: number;
  owners: OwnerIndex;
  groups: GroupTopics;
}

type Classifier = (labels: readonly MappingLabel[], ctx: SourceContext) => Route | UnmappedReason;

/** Busy share of a node = 1 − (idle + iowait + steal) / all modes, as node-exporter's mixin records instance:node_cpu_utilisation:rate5m. */
const NOT_BUSY_MODES = new Set(['idle', 'iowait', 'steal']);

export const DATA_SOURCES: Readonly<Record<string, Classifier>> = {
  container_cpu_usage_seconds_total: (l) => cadvisor(l, { type: 'counterRate', acc: 'cpu' }),
  container_memory_working_set_bytes: (l) => cadvisor(l, { type: 'gauge', acc: 'mem', scale: 1, podMaxAcc: 'memPodMax' }),
  container_oom_events_total: (l) => cadvisor(l, { type: 'counterCount', acc: 'oomCadvisor' }),

  kube_pod_container_status_restarts_total: (l) => ksmContainer(l, { type: 'ksmRestarts' }),
  kube_pod_container_resource_requests: (l) => ksmResource(l, 'cpuReq', 'memReq'),
  kube_pod_container_resource_limits: (l) => ksmResource(l, 'cpuLim', 'memLim'),
  // kube-state-metrics 1.x names, still common in older clusters.
  kube_pod_container_resource_requests_cpu_cores: (l) => ksmContainer(l, { type: 'podLast', acc: 'cpuReq' }),
  kube_pod_container_resource_requests_memory_bytes: (l) => ksmContainer(l, { type: 'podLast', acc: 'memReq' }),
  kube_pod_container_resource_limits_cpu_cores: (l) => ksmContainer(l, { type: 'podLast', acc: 'cpuLim' }),
  kube_pod_container_resource_limits_memory_bytes: (l) => ksmContainer(l, { type: 'podLast', acc: 'memLim' }),
  kube_deployment_spec_replicas: (l, ctx) => ksmWorkload(l, ctx, 'deployment', 'Deployment'),
  kube_statefulset_replicas: (l, ctx) => ksmWorkload(l, ctx, 'statefulset', 'StatefulSet'),
  kube_daemonset_status_desired_number_scheduled: (l, ctx) => ksmWorkload(l, ctx, 'daemonset', 'DaemonSet'),
  kube_node_status_allocatable: (l, ctx) => {
    const node = labelValue(l, 'node');
    if (!node) return 'missing_labels';
    const resource = labelValue(l, 'resource');
    const acc: AccumulatorId | undefined = resource === 'cpu' ? 'nodeCpuAlloc' : resource === 'memory' ? 'nodeMemAlloc' : undefined;
    if (!acc) return 'excluded';
    return { targets: [{ kind: 'entity', entity: nodeRef(ctx, node) }], value: { type: 'last', acc } };
  },

  node_cpu_seconds_total: (l, ctx) => {
    const mode = labelValue(l, 'mode');
    if (!mode) return 'missing_labels';
    const target = nodeExporterTarget(l, ctx);
    return target ? { targets: [target], value: { type: 'nodeCpu', idle: NOT_BUSY_MODES.has(mode) } } : 'missing_labels';
  },
  node_memory_MemTotal_bytes: (l, ctx) => nodeGauge(l, ctx, 'nodeMemTotal'),
  node_memory_MemAvailable_bytes: (l, ctx) => nodeGauge(l, ctx, 'nodeMemAvail'),

  DCGM_FI_DEV_GPU_UTIL: (l, ctx) => dcgm(l, ctx, { type: 'gauge', acc: 'gpuUtil', scale: 0.01, rejectNegative: true }),
  DCGM_FI_DEV_FB_USED: (l, ctx) => dcgm(l, ctx, { type: 'gauge', acc: 'gpuMem', scale: 1024 * 1024, rejectNegative: true }),

  kafka_consumergroup_lag: (l, ctx) => consumerGroup(l, ctx, { type: 'gauge', acc: 'kafkaLag', scale: 1, rejectNegative: true }),
  kafka_consumergroup_current_offset: (l, ctx) => consumerGroup(l, ctx, { type: 'counterRate', acc: 'kafkaCons', rejectNegative: true }),
  kafka_topic_partition_current_offset: (l, ctx) => {
    const topic = labelValue(l, 'topic');
    if (!topic) return 'missing_labels';
    const groups = ctx.groups.groupsOf(ctx.scope, topic, ctx.nowMs);
    if (groups.length === 0) return 'excluded';
    return {
      targets: groups.map((g) => ({ kind: 'entity', entity: consumerGroupRef(ctx.tenant, ctx.cluster, g) })),
      value: { type: 'counterRate', acc: 'kafkaProd', rejectNegative: true },
    };
  },
};

/**
 * Series that only teach the mapper about topology (owners, nodes, the OOM flag); each finite
 * sample is `used`. Runs before the data series of the same write, so a pod and its owner arriving
 * together resolve at once.
 */
type Indexer = (labels: readonly MappingLabel[], value: number, tsMs: number, ctx: SourceContext) => 'used' | UnmappedReason;

export const INDEX_SOURCES: Readonly<Record<string, Indexer>> = {
  kube_pod_owner: (l, _v, ts, ctx) => {
    const namespace = labelValue(l, 'namespace');
    const pod = labelValue(l, 'pod');
    const kind = labelValue(l, 'owner_kind');
    if (!namespace || !pod || !kind) return 'missing_labels';
    ctx.owners.podOwner(ctx.scope, namespace, pod, kind, labelValue(l, 'owner_name') ?? '<none>', labelValue(l, 'owner_is_controller') === 'true', ts);
    return 'used';
  },
  kube_pod_info: (l, _v, ts, ctx) => {
    const namespace = labelValue(l, 'namespace');
    const pod = labelValue(l, 'pod');
    if (!namespace || !pod) return 'missing_labels';
    ctx.owners.podInfo(
      ctx.scope,
      namespace,
      pod,
      { node: labelValue(l, 'node'), hostIp: labelValue(l, 'host_ip'), createdByKind: labelValue(l, 'created_by_kind'), createdByName: labelValue(l, 'created_by_name') },
      ts,
    );
    return 'used';
  },
  kube_replicaset_owner: (l, _v, ts, ctx) => {
    const namespace = labelValue(l, 'namespace');
    const rs = labelValue(l, 'replicaset');
    const kind = labelValue(l, 'owner_kind');
    if (!namespace || !rs || !kind) return 'missing_labels';
    ctx.owners.replicaSetOwner(ctx.scope, namespace, rs, kind, labelValue(l, 'owner_name') ?? '<none>', ts);
    return 'used';
  },
  kube_job_owner: (l, _v, ts, ctx) => {
    const namespace = labelValue(l, 'namespace');
    const job = labelValue(l, 'job_name');
    const kind = labelValue(l, 'owner_kind');
    if (!namespace || !job || !kind) return 'missing_labels';
    ctx.owners.jobOwner(ctx.scope, namespace, job, kind, labelValue(l, 'owner_name') ?? '<none>', ts);
    return 'used';
  },
  kube_node_info: (l, _v, ts, ctx) => {
    const node = labelValue(l, 'node');
    if (!node) return 'missing_labels';
    ctx.owners.node(ctx.scope, node, ts);
    const ip = labelValue(l, 'internal_ip');
    if (ip) ctx.owners.nodeIp(ctx.scope, ip, node, ts);
    return 'used';
  },
  kube_pod_container_status_last_terminated_reason: (l, v, ts, ctx) => {
    const namespace = labelValue(l, 'namespace');
    const pod = labelValue(l, 'pod');
    const container = labelValue(l, 'container');
    const reason = labelValue(l, 'reason');
    if (!namespace || !pod || !container || !reason) return 'missing_labels';
    ctx.owners.lastTerminatedReason(ctx.scope, namespace, pod, container, reason, v, ts);
    return 'used';
  },
};

/** Data series that also teach topology (counted once, as data, in the second pass). */
export function learnFromDataSeries(metricName: string, labels: readonly MappingLabel[], tsMs: number, ctx: SourceContext): void {
  if (metricName === 'kafka_consumergroup_lag' || metricName === 'kafka_consumergroup_current_offset') {
    const group = labelValue(labels, 'consumergroup');
    const topic = labelValue(labels, 'topic');
    if (group && topic) ctx.groups.see(ctx.scope, topic, group, tsMs);
  } else if (metricName === 'kube_node_status_allocatable') {
    const node = labelValue(labels, 'node');
    if (node) ctx.owners.node(ctx.scope, node, tsMs);
  }
}

export const SOURCE_METRIC_NAMES: readonly string[] = [...Object.keys(INDEX_SOURCES), ...Object.keys(DATA_SOURCES)].sort();

export function isSourceMetric(metricName: string): boolean {
  return Object.prototype.hasOwnProperty.call(DATA_SOURCES, metricName) || Object.prototype.hasOwnProperty.call(INDEX_SOURCES, metricName);
}

export function nodeRef(ctx: { tenant: string; cluster: string }, name: string): EntityRef {
  return { tenant: ctx.tenant, kind: EntityKind.ENTITY_KIND_NODE, cluster: ctx.cluster, namespace: '', workloadKind: '', name };
}

function cadvisor(l: readonly MappingLabel[], value: ValueKind): Route | UnmappedReason {
  // `container_name`/`pod_name`: cAdvisor before Kubernetes 1.16.
  const container = firstLabel(l, 'container', 'container_name');
  if (!container || container === 'POD') return 'excluded';
  const cpu = labelValue(l, 'cpu');
  if (cpu !== undefined && cpu !== 'total') return 'excluded';
  const namespace = labelValue(l, 'namespace');
  const pod = firstLabel(l, 'pod', 'pod_name');
  if (!namespace || !pod) return 'missing_labels';
  return { targets: [{ kind: 'pod', namespace, pod }], value, pod: { namespace, pod, container } };
}

function ksmContainer(l: readonly MappingLabel[], value: ValueKind): Route | UnmappedReason {
  const namespace = labelValue(l, 'namespace');
  const pod = labelValue(l, 'pod');
  const container = labelValue(l, 'container');
  if (!namespace || !pod || !container) return 'missing_labels';
  return { targets: [{ kind: 'pod', namespace, pod }], value, pod: { namespace, pod, container } };
}

function ksmResource(l: readonly MappingLabel[], cpuAcc: AccumulatorId, memAcc: AccumulatorId): Route | UnmappedReason {
  const resource = labelValue(l, 'resource');
  const unit = labelValue(l, 'unit');
  if (resource === 'cpu' && (unit === undefined || unit === 'core')) return ksmContainer(l, { type: 'podLast', acc: cpuAcc });
  if (resource === 'memory' && (unit === undefined || unit === 'byte')) return ksmContainer(l, { type: 'podLast', acc: memAcc });
  return resource ? 'excluded' : 'missing_labels';
}

function ksmWorkload(l: readonly MappingLabel[], ctx: SourceContext, nameLabel: string, kind: string): Route | UnmappedReason {
  const namespace = labelValue(l, 'namespace');
  const name = labelValue(l, nameLabel);
  if (!namespace || !name) return 'missing_labels';
  return { targets: [{ kind: 'entity', entity: workloadRef(ctx.tenant, ctx.cluster, namespace, kind, name) }], value: { type: 'last', acc: 'replicas' } };
}

function nodeExporterTarget(l: readonly MappingLabel[], ctx: SourceContext): Target | undefined {
  const node = labelValue(l, 'node');
  if (node) return { kind: 'entity', entity: nodeRef(ctx, node) };
  const instance = labelValue(l, 'instance');
  return instance ? { kind: 'host', hosts: [hostOf(instance)] } : undefined;
}

function nodeGauge(l: readonly MappingLabel[], ctx: SourceContext, acc: AccumulatorId): Route | UnmappedReason {
  const target = nodeExporterTarget(l, ctx);
  return target ? { targets: [target], value: { type: 'gauge', acc, scale: 1, rejectNegative: true } } : 'missing_labels';
}

function dcgm(l: readonly MappingLabel[], ctx: SourceContext, value: ValueKind): Route | UnmappedReason {
  // With honor_labels false Prometheus renames the exporter's pod/namespace/container to exported_*
  // and the plain ones name the exporter's own pod: take one coherent set.
  const exported = labelValue(l, 'exported_pod') !== undefined;
  const namespace = exported ? labelValue(l, 'exported_namespace') : firstLabel(l, 'namespace', 'pod_namespace');
  const pod = exported ? labelValue(l, 'exported_pod') : firstLabel(l, 'pod', 'pod_name');
  const container = (exported ? labelValue(l, 'exported_container') : firstLabel(l, 'container', 'container_name')) ?? '';
  const node = labelValue(l, 'node');
  const hosts = [firstLabel(l, 'Hostname', 'hostname'), labelValue(l, 'instance')].filter((h): h is string => h !== undefined).map(hostOf);
  const nodeTarget: Target | undefined = node ? { kind: 'entity', entity: nodeRef(ctx, node) } : hosts.length > 0 ? { kind: 'host', hosts } : undefined;
  const targets: Target[] = [];
  if (namespace && pod) targets.push({ kind: 'pod', namespace, pod });
  if (nodeTarget) targets.push(nodeTarget);
  if (targets.length === 0) return 'missing_labels';
  return { targets, value, pod: namespace && pod ? { namespace, pod, container } : undefined };
}

function consumerGroup(l: readonly MappingLabel[], ctx: SourceContext, value: ValueKind): Route | UnmappedReason {
  const group = labelValue(l, 'consumergroup');
  if (!group) return 'missing_labels';
  return { targets: [{ kind: 'entity', entity: consumerGroupRef(ctx.tenant, ctx.cluster, group) }], value };
}
