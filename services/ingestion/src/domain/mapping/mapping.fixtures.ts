import { MappingInputSeries } from './entity-mapper';

/**
 * Label sets as the exporters emit them once Prometheus has scraped them with kube-prometheus'
 * ServiceMonitors (target labels `instance`, `job`, `endpoint`, `service`, … added; `honorLabels`
 * on kube-state-metrics, so `namespace`/`pod` name the described pod), from the exporters' docs:
 * cAdvisor docs/storage/prometheus.md, kube-state-metrics docs/metrics/*, node-exporter,
 * NVIDIA dcgm-exporter, danielqsj/kafka_exporter.
 */
export const STEP = 300_000;
/** A step-aligned instant (5-minute grid). */
export const T0 = 1_700_000_100_000;
export const NODE_A = 'ip-10-0-1-12.eu-west-1.compute.internal';
export const NODE_B = 'ip-10-0-2-33.eu-west-1.compute.internal';

type Labels = Record<string, string>;

export function series(metricName: string, labels: Labels, points: readonly (readonly [number, number])[]): MappingInputSeries {
  return {
    metricName,
    labels: Object.entries({ __name__: metricName, ...labels })
      .map(([name, value]) => ({ name, value }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    samples: points.map(([timestampMs, value]) => ({ timestampMs, value, stale: false })),
  };
}

/** `n` points from `from` every `everyMs`, values from `f(i)`. */
export function points(from: number, n: number, everyMs: number, f: (i: number) => number): [number, number][] {
  return Array.from({ length: n }, (_, i) => [from + i * everyMs, f(i)] as [number, number]);
}

const KUBELET = { endpoint: 'https-metrics', job: 'kubelet', metrics_path: '/metrics/cadvisor', service: 'kube-prometheus-stack-kubelet' };
const KSM = { container: 'kube-state-metrics', endpoint: 'http', instance: '10.244.3.7:8080', job: 'kube-state-metrics', service: 'kube-prometheus-stack-kube-state-metrics' };

/** A container's cAdvisor labels via the kubelet (containerd cgroup v2 paths). */
export function cadvisorLabels(namespace: string, pod: string, container: string, node = NODE_A, image = `ghcr.io/acme/${container}:1.4.2`): Labels {
  return {
    ...KUBELET,
    container,
    id: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${pod.length}.slice/cri-containerd-${container}${pod.length}.scope`,
    image,
    instance: '10.0.1.12:10250',
    name: `${container}-${pod}`,
    namespace,
    node,
    pod,
  };
}

/** The pod-level cgroup series cAdvisor also emits: no `container`, no `image`. */
export function podCgroupLabels(namespace: string, pod: string): Labels {
  return { ...KUBELET, id: `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${pod}.slice`, instance: '10.0.1.12:10250', namespace, node: NODE_A, pod };
}

/** The sandbox (pause) container under containerd: `container` empty (so absent), image pause. */
export function pauseLabels(namespace: string, pod: string): Labels {
  return { ...KUBELET, id: `/kubepods.slice/x/cri-containerd-pause${pod}.scope`, image: 'registry.k8s.io/pause:3.9', instance: '10.0.1.12:10250', name: `pause-${pod}`, namespace, node: NODE_A, pod };
}

export function podOwner(namespace: string, pod: string, ownerKind: string, ownerName: string, t: number): MappingInputSeries {
  return series('kube_pod_owner', { ...KSM, namespace, pod, uid: `uid-${pod}`, owner_kind: ownerKind, owner_name: ownerName, owner_is_controller: ownerKind === '<none>' ? '<none>' : 'true' }, [[t, 1]]);
}

export function podInfo(namespace: string, pod: string, node: string, hostIp: string, createdByKind: string, createdByName: string, t: number): MappingInputSeries {
  return series(
    'kube_pod_info',
    { ...KSM, namespace, pod, uid: `uid-${pod}`, host_ip: hostIp, pod_ip: '10.244.1.17', node, created_by_kind: createdByKind, created_by_name: createdByName, priority_class: '', host_network: 'false' },
    [[t, 1]],
  );
}

export function replicaSetOwner(namespace: string, replicaset: string, ownerKind: string, ownerName: string, t: number): MappingInputSeries {
  return series('kube_replicaset_owner', { ...KSM, namespace, replicaset, owner_kind: ownerKind, owner_name: ownerName, owner_is_controller: 'true' }, [[t, 1]]);
}

export function jobOwner(namespace: string, job: string, ownerKind: string, ownerName: string, t: number): MappingInputSeries {
  return series('kube_job_owner', { ...KSM, namespace, job_name: job, owner_kind: ownerKind, owner_name: ownerName, owner_is_controller: 'true' }, [[t, 1]]);
}

export function nodeInfo(node: string, internalIp: string, t: number): MappingInputSeries {
  return series(
    'kube_node_info',
    {
      ...KSM,
      node,
      internal_ip: internalIp,
      kernel_version: '6.1.66-91.160.amzn2023.x86_64',
      os_image: 'Amazon Linux 2023',
      container_runtime_version: 'containerd://1.7.11',
      kubelet_version: 'v1.29.0-eks-5e0fdde',
      kubeproxy_version: 'v1.29.0-eks-5e0fdde',
      pod_cidr: '10.244.1.0/24',
      provider_id: 'aws:///eu-west-1a/i-0a1b2c3d4e5f',
      system_uuid: 'ec2d3c4b-1111-2222-3333-444455556666',
    },
    [[t, 1]],
  );
}

export function resource(kind: 'requests' | 'limits', namespace: string, pod: string, container: string, res: 'cpu' | 'memory' | 'ephemeral_storage', value: number, t: number): MappingInputSeries {
  const unit = res === 'cpu' ? 'core' : 'byte';
  return series(`kube_pod_container_resource_${kind}`, { ...KSM, namespace, pod, uid: `uid-${pod}`, container, node: NODE_A, resource: res, unit }, [[t, value]]);
}

export function nodeExporterLabels(instance: string, extra: Labels = {}): Labels {
  return { container: 'node-exporter', endpoint: 'http-metrics', instance, job: 'node-exporter', namespace: 'monitoring', pod: 'node-exporter-7xk2p', service: 'kube-prometheus-stack-prometheus-node-exporter', ...extra };
}

/** dcgm-exporter in Kubernetes mode, scraped with honor_labels (pod/namespace/container = the GPU's user). */
export function dcgmLabels(gpu: string, k8s: { namespace: string; pod: string; container: string } | undefined, extra: Labels = {}): Labels {
  return {
    gpu,
    UUID: `GPU-4f2c${gpu}a1e-7d3b-11ee-9c1b-0242ac120002`,
    device: `nvidia${gpu}`,
    modelName: 'NVIDIA A10G',
    Hostname: 'nvidia-dcgm-exporter-8wq9z',
    DCGM_FI_DRIVER_VERSION: '535.129.03',
    instance: '10.244.2.9:9400',
    job: 'nvidia-dcgm-exporter',
    ...(k8s ?? {}),
    ...extra,
  };
}

export function kafkaLabels(extra: Labels): Labels {
  return { instance: 'kafka-exporter.monitoring.svc:9308', job: 'kafka-exporter', ...extra };
}
