import { EntityKind, EntityRef } from './generated/prescient/common/v1/entity';

/** Canonical metric names carried on metrics.samples.v2. */
export const METRICS = {
  cpuUsageCores: 'cpu_usage_cores',
  memoryWorkingSetBytes: 'memory_working_set_bytes',
  kafkaProductionRate: 'kafka_production_rate',
  kafkaConsumptionRate: 'kafka_consumption_rate',
  kafkaLag: 'kafka_consumer_lag',
  kafkaQueueLatencySeconds: 'kafka_queue_latency_seconds',
  kafkaConsumerPartitions: 'kafka_consumer_partitions',
  /** Share of the node's allocatable CPU in use (0–1). */
  nodeCpuUtilisationRatio: 'node_cpu_utilisation_ratio',
  /** Share of the node's allocatable memory in use (0–1). */
  nodeMemoryUtilisationRatio: 'node_memory_utilisation_ratio',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

const TENANT_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A tenant id is a DNS label (tenants map to namespaces); anything else is refused. */
export function isValidTenant(tenant: unknown): tenant is string {
  return typeof tenant === 'string' && TENANT_PATTERN.test(tenant);
}

export function workloadRef(tenant: string, cluster: string, namespace: string, workloadKind: string, name: string): EntityRef {
  return { tenant, kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster, namespace, workloadKind, name };
}

export function nodeRef(tenant: string, cluster: string, name: string): EntityRef {
  return { tenant, kind: EntityKind.ENTITY_KIND_NODE, cluster, namespace: '', workloadKind: '', name };
}

export function consumerGroupRef(tenant: string, cluster: string, groupId: string): EntityRef {
  return { tenant, kind: EntityKind.ENTITY_KIND_CONSUMER_GROUP, cluster, namespace: '', workloadKind: '', name: groupId };
}

/**
 * The Kafka message key and storage key of an entity: its tenant and federation key fields. Every
 * part is URI-encoded so no value can forge a separator.
 */
export function entityKey(ref: EntityRef): string {
  return [ref.tenant, String(ref.kind), ref.cluster, ref.namespace, ref.workloadKind, ref.name].map(encodeURIComponent).join('/');
}

export function parseEntityKey(key: string): EntityRef {
  const parts = key.split('/');
  if (parts.length !== 6) throw new Error(`entity key must have 6 parts, got ${parts.length}`);
  const [tenant, kind, cluster, namespace, workloadKind, name] = parts.map(decodeURIComponent);
  return { tenant, kind: Number(kind) as EntityKind, cluster, namespace, workloadKind, name };
}

/** Checks the fields an entity of its kind must have; returns the problem, or undefined. */
export function entityProblem(ref: EntityRef | undefined): string | undefined {
  if (!ref) return 'entity is missing';
  if (!isValidTenant(ref.tenant)) return `tenant '${ref.tenant}' is not a valid tenant id`;
  if (!ref.cluster) return 'entity.cluster is empty';
  switch (ref.kind) {
    case EntityKind.ENTITY_KIND_CLUSTER:
      return undefined;
    case EntityKind.ENTITY_KIND_NAMESPACE:
      return ref.namespace ? undefined : 'entity.namespace is empty';
    case EntityKind.ENTITY_KIND_NODE:
    case EntityKind.ENTITY_KIND_CONSUMER_GROUP:
      return ref.name ? undefined : 'entity.name is empty';
    case EntityKind.ENTITY_KIND_WORKLOAD:
      return ref.namespace && ref.workloadKind && ref.name ? undefined : 'a workload needs namespace, workloadKind and name';
    default:
      return `entity.kind ${ref.kind} is not a known kind`;
  }
}
