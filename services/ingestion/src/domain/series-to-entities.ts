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
    const metric = WORKLOAD_METRIC_NAMES[s.metricName];
    const entity = metric ? workloadOf(tenant, defaultCluster, s.labels) : undefined;
    if (!metric || !entity) {
      unmappedSeries++;
      continue;
    }
    const samples = s.samples.filter((p) => Number.isFinite(p.value)).sort((a, b) => a.timestampMs - b.timestampMs);
    droppedSamples += s.samples.length - samples.length;
    if (samples.length === 0) continue;
    acceptedSamples += samples.length;
    const key = `${entity.cluster}\u0000${entity.namespace}\u0000${entity.workloadKind}\u0000${entity.name}`;
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

/** kube-prometheus writes `workload_type` lower-case (deployment); Kubernetes kinds are PascalCase. */
function normaliseKind(kind: string | undefined): string | undefined {
  if (!kind) return undefined;
  const known: Record<string, string> = { deployment: 'Deployment', statefulset: 'StatefulSet', daemonset: 'DaemonSet', replicaset: 'ReplicaSet', job: 'Job', cronjob: 'CronJob' };
  return known[kind.toLowerCase()] ?? kind;
}
