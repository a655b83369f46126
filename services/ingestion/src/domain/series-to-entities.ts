import { EntityKind, EntityRef, METRICS, MetricName } from '@prescient/contracts';
import { EntityIdentity, entityIdentity } from '@prescient/contracts';

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
  identity: EntityIdentity;
}

export interface MappingResult<S extends IncomingSeries = IncomingSeries> {
  batches: EntitySamples[];
  unmappedSeries: number;
  /** The series no recording-rule name matched, for the raw-series mapper (cAdvisor, kube-state-metrics, …). */
  unmapped: S[];
  /** Samples not forwarded: non-finite values (NaN, ±Inf, stale markers). */
  droppedSamples: number;
  /** Samples not forwarded: timestamps before 1970 or past 2^53 ms. */
  invalidTimestamps: number;
  acceptedSamples: number;
}

interface MappedSeries {
  readonly identity: EntityIdentity;
  readonly metric: MetricName;
}

/**
 * Remembers what each label set maps to, per tenant and default cluster. Decoded label arrays are
 * shared across requests for byte-identical labels (the decoder's label-set cache), so keying by the
 * array itself turns the mapping, the entity key and its hash into one WeakMap lookup per series;
 * entries go when the decoder's cache lets their labels go.
 */
export class EntityMappingCache {
  private readonly scopes = new Map<string, WeakMap<IncomingSeries['labels'], MappedSeries | null>>();

  scope(tenant: string, defaultCluster: string): WeakMap<IncomingSeries['labels'], MappedSeries | null> {
    const key = `${tenant}\u0000${defaultCluster}`;
    let scope = this.scopes.get(key);
    if (!scope) {
      // Tenants are bounded by the tenant limits; the guard only stops a runaway from growing this.
      if (this.scopes.size >= 10_000) this.scopes.clear();
      this.scopes.set(key, (scope = new WeakMap()));
    }
    return scope;
  }
}

/** Groups series by the entity they describe, one batch per entity, samples in time order. */
export function seriesToEntities<S extends IncomingSeries>(tenant: string, defaultCluster: string, series: readonly S[], cache?: EntityMappingCache): MappingResult<S> {
  const scope = cache?.scope(tenant, defaultCluster);
  const byEntity = new Map<string, EntitySamples>();
  let unmappedSeries = 0;
  let droppedSamples = 0;
  let invalidTimestamps = 0;
  let acceptedSamples = 0;
  const unmapped: S[] = [];
  for (const s of series) {
    let mapped = scope?.get(s.labels);
    if (mapped === undefined) {
      mapped = mapSeries(tenant, defaultCluster, s);
      scope?.set(s.labels, mapped);
    }
    if (mapped === null) {
      unmappedSeries++;
      unmapped.push(s);
      continue;
    }
    let samples = s.samples as { timestampMs: number; value: number }[];
    let clean = true;
    for (const p of samples) if (!Number.isFinite(p.value) || !validTimestamp(p.timestampMs)) clean = false;
    if (!clean) {
      const kept: { timestampMs: number; value: number }[] = [];
      for (const p of samples) {
        if (!Number.isFinite(p.value)) droppedSamples++;
        else if (!validTimestamp(p.timestampMs)) invalidTimestamps++;
        else kept.push(p);
      }
      samples = kept;
    }
    if (samples.length === 0) continue;
    if (!inTimeOrder(samples)) samples.sort((a, b) => a.timestampMs - b.timestampMs);
    acceptedSamples += samples.length;
    const { identity, metric } = mapped;
    let batch = byEntity.get(identity.key);
    if (!batch) byEntity.set(identity.key, (batch = { entity: identity.entity, series: [], identity }));
    const existing = batch.series.find((x) => x.metric === metric);
    if (existing) {
      for (const p of samples) existing.samples.push(p);
      if (!inTimeOrder(existing.samples)) existing.samples.sort((a, b) => a.timestampMs - b.timestampMs);
    } else {
      batch.series.push({ metric, samples });
    }
  }
  return { batches: [...byEntity.values()], unmappedSeries, unmapped, droppedSamples, invalidTimestamps, acceptedSamples };
}

function mapSeries(tenant: string, defaultCluster: string, s: IncomingSeries): MappedSeries | null {
  const workloadMetric = WORKLOAD_METRIC_NAMES[s.metricName];
  const groupMetric = CONSUMER_GROUP_METRIC_NAMES[s.metricName];
  const metric = workloadMetric ?? groupMetric;
  const entity = workloadMetric ? workloadOf(tenant, defaultCluster, s.labels) : groupMetric ? consumerGroupOf(tenant, defaultCluster, s.labels) : undefined;
  if (!metric || !entity) return null;
  return { identity: entityIdentity(entity), metric };
}

function validTimestamp(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= 0;
}

function inTimeOrder(samples: readonly { timestampMs: number }[]): boolean {
  for (let i = 1; i < samples.length; i++) if (samples[i].timestampMs < samples[i - 1].timestampMs) return false;
  return true;
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
