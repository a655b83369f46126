import { EntityKind, EntityRef } from '@prescient/contracts';
import { RangeSample, RangeSeries } from './query-range-response';

/**
 * Which labels of a query's result name the entity. Defaults follow kube-prometheus' recording
 * rules (`namespace`, `workload`, `workload_type`, `node`) and kafka-exporter (`consumergroup`); a
 * `cluster` label, when present, wins over the source's cluster.
 */
export type EntityMapping =
  | { kind: 'workload'; namespaceLabel: string; workloadLabel: string; workloadKindLabel: string; clusterLabel: string }
  | { kind: 'node'; nodeLabel: string; clusterLabel: string }
  | { kind: 'namespace'; namespaceLabel: string; clusterLabel: string }
  | { kind: 'consumer_group'; groupLabel: string; clusterLabel: string };

export const DEFAULT_ENTITY_MAPPINGS: { [K in EntityMapping['kind']]: Extract<EntityMapping, { kind: K }> } = {
  workload: { kind: 'workload', namespaceLabel: 'namespace', workloadLabel: 'workload', workloadKindLabel: 'workload_type', clusterLabel: 'cluster' },
  node: { kind: 'node', nodeLabel: 'node', clusterLabel: 'cluster' },
  namespace: { kind: 'namespace', namespaceLabel: 'namespace', clusterLabel: 'cluster' },
  consumer_group: { kind: 'consumer_group', groupLabel: 'consumergroup', clusterLabel: 'cluster' },
};

/** kube-prometheus writes `workload_type` lower-case (deployment); Kubernetes kinds are PascalCase. */
const KINDS: Record<string, string> = { deployment: 'Deployment', statefulset: 'StatefulSet', daemonset: 'DaemonSet', replicaset: 'ReplicaSet', job: 'Job', cronjob: 'CronJob' };

export function normaliseWorkloadKind(kind: string): string {
  return KINDS[kind.toLowerCase()] ?? kind;
}

export function entityOf(tenant: string, defaultCluster: string, mapping: EntityMapping, labels: ReadonlyMap<string, string>): EntityRef | undefined {
  const cluster = labels.get(mapping.clusterLabel) || defaultCluster;
  switch (mapping.kind) {
    case 'workload': {
      const namespace = labels.get(mapping.namespaceLabel);
      const name = labels.get(mapping.workloadLabel);
      const kind = labels.get(mapping.workloadKindLabel);
      if (!namespace || !name || !kind) return undefined;
      return { tenant, kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster, namespace, workloadKind: normaliseWorkloadKind(kind), name };
    }
    case 'node': {
      const name = labels.get(mapping.nodeLabel);
      return name ? { tenant, kind: EntityKind.ENTITY_KIND_NODE, cluster, namespace: '', workloadKind: '', name } : undefined;
    }
    case 'namespace': {
      const namespace = labels.get(mapping.namespaceLabel);
      return namespace ? { tenant, kind: EntityKind.ENTITY_KIND_NAMESPACE, cluster, namespace, workloadKind: '', name: '' } : undefined;
    }
    case 'consumer_group': {
      const name = labels.get(mapping.groupLabel);
      return name ? { tenant, kind: EntityKind.ENTITY_KIND_CONSUMER_GROUP, cluster, namespace: '', workloadKind: '', name } : undefined;
    }
  }
}

export interface BackfillBatch {
  entity: EntityRef;
  metric: string;
  samples: RangeSample[];
}

export interface MatrixMapping {
  batches: BackfillBatch[];
  unmappedSeries: number;
  /** Series folded into another of the same entity (the query did not aggregate per entity). */
  mergedSeries: number;
  samples: number;
}

/**
 * One query's series → batches per entity, samples in time order, at most `maxSamplesPerBatch`
 * each (so a message stays far below Kafka's 1 MB default). A query should give one series per
 * entity (`sum by (namespace, workload, workload_type)`); where several series name one entity,
 * their values at the same timestamp are combined with `combine` (sum by default, as `sum by` would).
 */
export function matrixToBatches(
  input: { tenant: string; cluster: string; metric: string; mapping: EntityMapping; combine?: 'sum' | 'max' | 'avg'; maxSamplesPerBatch: number },
  series: readonly RangeSeries[],
): MatrixMapping {
  const byEntity = new Map<string, { entity: EntityRef; points: Map<number, number[]> }>();
  let unmappedSeries = 0;
  let mergedSeries = 0;
  for (const s of series) {
    const entity = entityOf(input.tenant, input.cluster, input.mapping, s.labels);
    if (!entity) {
      unmappedSeries++;
      continue;
    }
    const key = [entity.kind, entity.cluster, entity.namespace, entity.workloadKind, entity.name].join('\u0000');
    let slot = byEntity.get(key);
    if (slot) mergedSeries++;
    else byEntity.set(key, (slot = { entity, points: new Map() }));
    for (const p of s.samples) {
      const list = slot.points.get(p.timestampMs);
      if (list) list.push(p.value);
      else slot.points.set(p.timestampMs, [p.value]);
    }
  }
  const combine = input.combine ?? 'sum';
  const batches: BackfillBatch[] = [];
  let samples = 0;
  for (const { entity, points } of byEntity.values()) {
    const ordered = [...points].sort((a, b) => a[0] - b[0]).map(([timestampMs, vs]) => ({ timestampMs, value: combined(vs, combine) }));
    samples += ordered.length;
    for (let i = 0; i < ordered.length; i += input.maxSamplesPerBatch) {
      batches.push({ entity, metric: input.metric, samples: ordered.slice(i, i + input.maxSamplesPerBatch) });
    }
  }
  return { batches, unmappedSeries, mergedSeries, samples };
}

function combined(values: number[], how: 'sum' | 'max' | 'avg'): number {
  if (values.length === 1) return values[0];
  const sum = values.reduce((a, b) => a + b, 0);
  return how === 'sum' ? sum : how === 'avg' ? sum / values.length : Math.max(...values);
}
