/**
 * Why a sample did not contribute to any entity. A closed set, so it can label a Prometheus counter
 * without growing its cardinality. Every sample handed to the mapper ends in exactly one place:
 * `used`, or one of these reasons — decided when it is read, or, for a sample held while its pod's
 * owner or its node is unknown, when it is resolved or given up.
 */
export const UNMAPPED_REASONS = [
  /** Not a metric the mapper reads (recording rules, other exporters, …). */
  'unknown_metric',
  /** A metric it reads, without the labels that name the entity (namespace/pod, consumergroup, node, …). */
  'missing_labels',
  /** Deliberately left out: pause container and cgroup-level cAdvisor series, per-CPU cAdvisor series, resources other than cpu/memory, negative Kafka offsets, topics no known group reads. */
  'excluded',
  /** NaN, ±Inf or a Prometheus stale marker as the value, or a timestamp that is not a safe integer. */
  'non_finite',
  /** Not newer than the series' previous sample (a retried or reordered write). */
  'out_of_order',
  /** The pod's owner chain (pod → ReplicaSet/Job → controller) stayed unknown for the hold time. */
  'owner_unknown',
  /** The instance/Hostname could not be resolved to a node within the hold time. */
  'node_unknown',
  /** Held for an unknown owner/node, then pushed out because the hold buffer was full. */
  'pending_overflow',
  /** Arrived for a step of its entity that had already been closed and emitted. */
  'late',
] as const;

export type UnmappedReason = (typeof UNMAPPED_REASONS)[number];

export interface MappingStats {
  /** Samples read in this call. */
  samplesIn: number;
  /** Samples whose fate was decided in this call and that were used (index, baseline or value). */
  used: number;
  /** Samples whose fate was decided in this call and that were not used, by reason. */
  unmapped: Record<UnmappedReason, number>;
  /** Samples waiting for an owner/node at the end of this call (a gauge, not a count). */
  held: number;
  /** Entity steps closed in this call. */
  stepsClosed: number;
  /**
   * Steps that closed without a value for a metric that needs two inputs (node memory used needs
   * both MemTotal and MemAvailable in the step); counted per metric and step.
   */
  incompleteSteps: number;
}

export function emptyStats(): MappingStats {
  const unmapped = {} as Record<UnmappedReason, number>;
  for (const r of UNMAPPED_REASONS) unmapped[r] = 0;
  return { samplesIn: 0, used: 0, unmapped, held: 0, stepsClosed: 0, incompleteSteps: 0 };
}
