import { EntityKind, EntityRef, METRICS, MetricName } from '@prescient/contracts';

/**
 * Which incoming metric names become which canonical metric. The walking skeleton takes series
 * already aggregated per workload, labelled as kube-prometheus' owner relabelling does
 * (`namespace`, `workload`, `workload_type`); the Ingestion issue adds cAdvisor and owner chains.
 */
export const WORKLOAD_METRIC_NAMES: Record<string, MetricName> = {
  'namespace_workload:container_cpu_usage_seconds_total:sum_rate': METRICS.cpuUsageCores,
  'namespace_workload:container_cpu_usage_seconds_total:sum_irate': METRICS.cpuUsageCores,
  'namespace_workload:container_memory_working_set_bytes:sum': METRICS.memoryWorkingSetBytes,
};

/**
 * Consumer-group series, aggregated per group as recording rules over kafka-exporter's metrics
 * produce them (`consumergroup` label, optional `cluster`). Production is the rate at which the
 * group's topics grow; consumption the rate at which its committed offsets move.
 */
export const CONSUMER_GROUP_METRIC_NAMES: Record<string, MetricName> = {
  'consumergroup:kafka_topic_partition_current_offset:sum_rate': METRICS.kafkaProductionRate,
  'consumergroup:kafka_consumergroup_current_offset:sum_rate': METRICS.kafkaConsumptionRate,
  'consumergroup:kafka_consumergroup_lag:sum': METRICS.kafkaLag,
};

export interface IncomingSeries {
  metricName: string;
  labels: readonly { name: string; value: string }[];
  samples: readonly { timestampMs: number; value: number }[];
}

export interface EntitySamples {
  entity: EntityRef;
  series: { metric: MetricName; samples: { timestampMs: number; value: number }[] }[];
}

export interface MappingResult {
  batches: EntitySamples[];
  unmappedSeries: number;
  /** Samples not forwarded: non-finite values (NaN, ±Inf, stale markers). */
  droppedSamples: number;
  acceptedSamples: number;
}

/** Groups series by the entity they describe, one batch per entity, samples in time order. */
export function seriesToEntities(tenant: string, defaultCluster: string, series: readonly IncomingSeries[]): MappingResult {
  const byEntity = new Map<string, EntitySamples>();
  let unmappedSeries = 0;
  let droppedSamples = 0;
  let acceptedSamples = 0;
  for (const s of series) {
    const workloadMetric = WORKLOAD_METRIC_NAMES[s.metricName];
    const groupMetric = CONSUMER_GROUP_METRIC_NAMES[s.metricName];
    const metric = workloadMetric ?? groupMetric;
    const entity = workloadMetric ? workloadOf(tenant, defaultCluster, s.labels) : groupMetric ? consumerGroupOf(tenant, defaultCluster, s.labels) : undefined;
    if (!metric || !entity) {
      unmappedSeries++;
      continue;
    }
    const samples = s.samples.filter((p) => Number.isFinite(p.value)).sort((a, b) => a.timestampMs - b.timestampMs);
    droppedSamples += s.samples.length - samples.length;
    if (samples.length === 0) continue;
    acceptedSamples += samples.length;
    const key = `${entity.kind}\u0000${entity.cluster}\u0000${entity.namespace}\u0000${entity.workloadKind}\u0000${entity.name}`;
    const batch = byEntity.get(key) ?? { entity, series: [] };
    byEntity.set(key, batch);
    const existing = batch.series.find((x) => x.metric === metric);
    if (existing) existing.samples.push(...samples);
    else batch.series.push({ metric, samples });
  }
  return { batches: [...byEntity.values()], unmappedSeries, droppedSamples, acceptedSamples };
}

function workloadOf(tenant: string, defaultCluster: string, labels: IncomingSeries['labels']): EntityRef | undefined {
  const get = (name: string) => labels.find((l) => l.name === name)?.value;
  const namespace = get('namespace');
  const name = get('workload');
  const workloadKind = normaliseKind(get('workload_type'));
  if (!namespace || !name || !workloadKind) return undefined;
  return { tenant, kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: get('cluster') || defaultCluster, namespace, workloadKind, name };
}

function consumerGroupOf(tenant: string, defaultCluster: string, labels: IncomingSeries['labels']): EntityRef | undefined {
  const group = labels.find((l) => l.name === 'consumergroup')?.value;
  if (!group) return undefined;
  return { tenant, kind: EntityKind.ENTITY_KIND_CONSUMER_GROUP, cluster: labels.find((l) => l.name === 'cluster')?.value || defaultCluster, namespace: '', workloadKind: '', name: group };
}

/** kube-prometheus writes `workload_type` lower-case (deployment); Kubernetes kinds are PascalCase. */
function normaliseKind(kind: string | undefined): string | undefined {
  if (!kind) return undefined;
  const known: Record<string, string> = { deployment: 'Deployment', statefulset: 'StatefulSet', daemonset: 'DaemonSet', replicaset: 'ReplicaSet', job: 'Job', cronjob: 'CronJob' };
  return known[kind.toLowerCase()] ?? kind;
}
