import { METRICS } from '@prescient/contracts';

/**
 * Canonical metrics the mapper publishes in addition to libs/contracts' METRICS (to be merged
 * there). Units are in the name; ratios are 0–1; rates are per second; counts are per step.
 */
export const MAPPING_METRICS = {
  /** Working set of the workload's largest replica in the step (peak; max over pods). */
  memoryWorkingSetMaxPodBytes: 'memory_working_set_max_pod_bytes',
  /** CPU request of one replica (sum over the pod's containers, max over pods), cores. */
  cpuRequestCores: 'cpu_request_cores',
  /** CPU limit of one replica, cores (containers without a limit add nothing). */
  cpuLimitCores: 'cpu_limit_cores',
  /** Memory request of one replica, bytes. */
  memoryRequestBytes: 'memory_request_bytes',
  /** Memory limit of one replica, bytes (containers without a limit add nothing). */
  memoryLimitBytes: 'memory_limit_bytes',
  /** Desired replicas (Deployment / StatefulSet spec, DaemonSet desired pods). */
  replicas: 'replicas',
  /** Out-of-memory kills in the step (a count, not a rate). */
  oomKills: 'oom_kills',
  /** Share of GPU time busy (0–1), time-weighted mean over the entity's GPUs. */
  gpuUtilisationRatio: 'gpu_utilisation_ratio',
  /** GPU frame-buffer memory in use, bytes, summed over the entity's GPUs. */
  gpuMemoryUsedBytes: 'gpu_memory_used_bytes',
  /** MemTotal − MemAvailable of the node, bytes. */
  nodeMemoryUsedBytes: 'node_memory_used_bytes',
  /** CPU allocatable to pods on the node, cores. */
  nodeCpuAllocatableCores: 'node_cpu_allocatable_cores',
  /** Memory allocatable to pods on the node, bytes. */
  nodeMemoryAllocatableBytes: 'node_memory_allocatable_bytes',
} as const;

export type MappingMetricName = (typeof MAPPING_METRICS)[keyof typeof MAPPING_METRICS];

/** Every canonical metric the mapper can emit: the contract's it reuses and the ones above. */
export const MAPPER_OUTPUT_METRICS: readonly string[] = [
  METRICS.cpuUsageCores,
  METRICS.memoryWorkingSetBytes,
  METRICS.nodeCpuUtilisationRatio,
  METRICS.nodeMemoryUtilisationRatio,
  METRICS.kafkaLag,
  METRICS.kafkaProductionRate,
  METRICS.kafkaConsumptionRate,
  ...Object.values(MAPPING_METRICS),
];
