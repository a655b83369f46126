// The webhook's configuration: which namespaces are tenants, where the gateways and platform live,
// and the label/annotation conventions by which a Service says who calls it.
import type { OwnerReference, StringMap } from './types';

/** Istio's per-Service visibility annotation (`annotation.NetworkingExportTo`); comma-separated namespaces, `.`, `*` or `~`. */
export const ISTIO_EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';
/** Istio's injection switch (`label.SidecarInject` / `annotation.SidecarInject`); the label wins over the annotation. */
export const ISTIO_SIDECAR_INJECT = 'sidecar.istio.io/inject';
/** Istio's namespace injection label; `disabled` keeps every injector webhook away from the namespace. */
export const ISTIO_INJECTION_NAMESPACE_LABEL = 'istio-injection';
/** Istio's ambient switch (`label.IoIstioDataplaneMode`); ambient pods have no sidecar but waypoints still route to them. */
export const ISTIO_DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';

/** An owner reference's API group (from `apiVersion`, `group/version`; the core group is '') and kind. */
export interface OwnerKind {
  group: string;
  kind: string;
}

/** Which namespaces belong to tenants. Everything else is left to Istio's defaults. */
export type TenantSelector =
  /** Namespaces carrying `label` (equal to `value` when given); needs the namespace-labels lookup. */
  | { kind: 'label'; label: string; value?: string }
  /** A fixed list of tenant namespaces; needs no lookup. */
  | { kind: 'list'; namespaces: readonly string[] };

/** The labels and annotations by which a Service (or its owner) says who calls it. */
export interface MeshConventions {
  /** Annotation the webhook writes beside `networking.istio.io/exportTo` with the value it set, so an UPDATE can tell its own value (recomputed) from a user's (kept). */
  managedAnnotation: string;
  /** Annotation `"ns-a,ns-b"` or `"*"`: namespaces (beyond the Service's own) that must reach the Service. */
  exposedToAnnotation: string;
  /** Label `training|plumbing|notebook|dashboard|serving|internal`: what the Service is, when heuristics cannot tell. */
  workloadClassLabel: string;
  /** Label or annotation `"true"`: an ingress gateway routes to this Service from outside the mesh. */
  routedFromIngressKey: string;
  /** Label or annotation `"true"`: controllers in the platform namespace call this Service. */
  calledByPlatformKey: string;
  /** Label `"true"`: a platform Service deployed into a tenant namespace; left at Istio's default (`*`). */
  platformServiceLabel: string;
  /** Labels (presence) of distributed-training Services, e.g. Kubeflow's `training.kubeflow.org/job-name`. */
  trainingLabels: readonly string[];
  /** Owner kinds of distributed-training Services (Kubeflow PyTorchJob, TFJob, MPIJob, …, JobSet, RayCluster). */
  trainingOwnerKinds: readonly OwnerKind[];
  /** Labels (presence) of Knative/KServe Services, e.g. `serving.knative.dev/revision`, `serving.kserve.io/inferenceservice`. */
  knativeLabels: readonly string[];
  /** Owner kinds of Knative/KServe Services (Revision, Route, ServerlessService, InferenceService). */
  knativeOwnerKinds: readonly OwnerKind[];
  /** Labels (presence, on the Service or in its selector) of Services routed from the ingress gateway, e.g. `notebook-name`. */
  ingressRoutedLabels: readonly string[];
  /** Owner kinds of Services routed from the ingress gateway: Kubeflow's Notebook (its Service has no labels, only this owner). */
  ingressRoutedOwnerKinds: readonly OwnerKind[];
}

/** The webhook's configuration, validated by `createMeshPolicy`. */
export interface MeshPolicy {
  /** Namespace of Prescient's own controllers; its Services stay `*` and it reaches Services marked as platform callees. */
  platformNamespace: string;
  /** Namespaces of ingress gateways (`istio-system` by default); routed Services must be exported to them. */
  ingressGatewayNamespaces: readonly string[];
  /** Namespace of Knative Serving's activator, which calls revisions (`knative-serving`). */
  knativeServingNamespace: string;
  /** Namespace of istiod and the gateways, always in a tenant Sidecar's egress (`istio-system`). */
  istioNamespace: string;
  /** Cluster DNS suffix (`cluster.local`). */
  clusterDomain: string;
  /** Which namespaces are tenants (default: those labelled `prescient.io/tenant`). */
  tenants: TenantSelector;
  /** Tenant namespaces whose pods run without sidecars, for clusters that cannot label them `istio-injection=disabled`. */
  sidecarlessNamespaces: readonly string[];
  conventions: MeshConventions;
}

/** What `createMeshPolicy` accepts: the platform namespace and any overrides of the defaults. */
export type MeshPolicyInput = { platformNamespace: string } & Partial<Omit<MeshPolicy, 'platformNamespace' | 'conventions'>> & {
  conventions?: Partial<MeshConventions>;
};

const KUBEFLOW_TRAINING_KINDS = ['PyTorchJob', 'TFJob', 'MPIJob', 'XGBoostJob', 'PaddleJob', 'JAXJob', 'MXJob'];

export const DEFAULT_CONVENTIONS: MeshConventions = Object.freeze({
  managedAnnotation: 'prescient.io/export-to-managed',
  exposedToAnnotation: 'prescient.io/exposed-to',
  workloadClassLabel: 'prescient.io/workload-class',
  routedFromIngressKey: 'prescient.io/routed-from-ingress',
  calledByPlatformKey: 'prescient.io/called-by-platform',
  platformServiceLabel: 'prescient.io/platform-service',
  trainingLabels: Object.freeze([
    'training.kubeflow.org/job-name',
    'training.kubeflow.org/replica-type',
    'jobset.sigs.k8s.io/jobset-name',
  ]),
  trainingOwnerKinds: Object.freeze([
    ...KUBEFLOW_TRAINING_KINDS.map((kind) => ({ group: 'kubeflow.org', kind })),
    { group: 'trainer.kubeflow.org', kind: 'TrainJob' },
    { group: 'jobset.x-k8s.io', kind: 'JobSet' },
    { group: 'ray.io', kind: 'RayCluster' },
    { group: 'ray.io', kind: 'RayJob' },
    { group: 'batch.volcano.sh', kind: 'Job' },
  ]),
  knativeLabels: Object.freeze([
    'serving.knative.dev/revision',
    'serving.knative.dev/service',
    'serving.knative.dev/route',
    'serving.kserve.io/inferenceservice',
  ]),
  knativeOwnerKinds: Object.freeze([
    { group: 'serving.knative.dev', kind: 'Revision' },
    { group: 'serving.knative.dev', kind: 'Route' },
    { group: 'networking.internal.knative.dev', kind: 'ServerlessService' },
    { group: 'serving.kserve.io', kind: 'InferenceService' },
  ]),
  ingressRoutedLabels: Object.freeze(['notebook-name']),
  ingressRoutedOwnerKinds: Object.freeze([{ group: 'kubeflow.org', kind: 'Notebook' }]),
});

/** Values of the workload-class label that the classifier understands. */
export const WORKLOAD_CLASSES = ['training', 'plumbing', 'notebook', 'dashboard', 'serving', 'internal'] as const;
export type WorkloadClass = (typeof WORKLOAD_CLASSES)[number];

/** Thrown by `createMeshPolicy`; names the bad key so start-up fails with a useful message. */
export class MeshPolicyError extends Error {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`mesh policy: ${key} ${problem}`);
    this.name = 'MeshPolicyError';
  }
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Kubernetes qualified names: optional DNS-subdomain prefix and a '/', then 63 chars of [A-Za-z0-9._-].
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Whether `name` is a valid namespace name (an RFC 1123 label). */
export function isNamespaceName(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL.test(name);
}

/** Whether `name` is a valid DNS name (dot-separated RFC 1123 labels, at most 253 characters). */
export function isDnsName(name: string): boolean {
  return name.length > 0 && name.length <= 253 && name.split('.').every(isNamespaceName);
}

/** Fills defaults and validates; throws `MeshPolicyError` naming the first bad key. */
export function createMeshPolicy(input: MeshPolicyInput): MeshPolicy {
  const policy: MeshPolicy = {
    platformNamespace: input.platformNamespace,
    ingressGatewayNamespaces: input.ingressGatewayNamespaces ?? ['istio-system'],
    knativeServingNamespace: input.knativeServingNamespace ?? 'knative-serving',
    istioNamespace: input.istioNamespace ?? 'istio-system',
    clusterDomain: input.clusterDomain ?? 'cluster.local',
    tenants: input.tenants ?? { kind: 'label', label: 'prescient.io/tenant' },
    sidecarlessNamespaces: input.sidecarlessNamespaces ?? [],
    conventions: { ...DEFAULT_CONVENTIONS, ...input.conventions },
  };
  const namespace = (key: string, value: unknown): void => {
    if (typeof value !== 'string' || !isNamespaceName(value)) {
      throw new MeshPolicyError(key, `must be a namespace name, got ${JSON.stringify(value)}`);
    }
  };
  const namespaces = (key: string, value: unknown, allowEmpty: boolean): void => {
    if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) {
      throw new MeshPolicyError(key, allowEmpty ? 'must be a list' : 'must be a non-empty list');
    }
    value.forEach((v, i) => namespace(`${key}[${i}]`, v));
  };
  const qualifiedName = (key: string, value: unknown): void => {
    if (typeof value !== 'string' || !QUALIFIED_NAME.test(value)) {
      throw new MeshPolicyError(key, `must be a Kubernetes label/annotation key, got ${JSON.stringify(value)}`);
    }
  };
  const ownerKinds = (key: string, value: unknown): void => {
    if (!Array.isArray(value)) throw new MeshPolicyError(key, 'must be a list');
    value.forEach((v: Partial<OwnerKind> | null, i) => {
      if (typeof v?.group !== 'string' || typeof v.kind !== 'string' || v.kind === '') {
        throw new MeshPolicyError(`${key}[${i}]`, 'must be {group, kind}');
      }
    });
  };

  namespace('platformNamespace', policy.platformNamespace);
  namespaces('ingressGatewayNamespaces', policy.ingressGatewayNamespaces, false);
  namespace('knativeServingNamespace', policy.knativeServingNamespace);
  namespace('istioNamespace', policy.istioNamespace);
  if (!isDnsName(policy.clusterDomain)) {
    throw new MeshPolicyError('clusterDomain', `must be a DNS name, got ${JSON.stringify(policy.clusterDomain)}`);
  }
  namespaces('sidecarlessNamespaces', policy.sidecarlessNamespaces, true);
  const tenants = policy.tenants as Partial<{ kind: string; label: unknown; value: unknown; namespaces: unknown }>;
  if (tenants.kind === 'label') {
    qualifiedName('tenants.label', tenants.label);
    if (tenants.value !== undefined && typeof tenants.value !== 'string') {
      throw new MeshPolicyError('tenants.value', 'must be a string');
    }
  } else if (tenants.kind === 'list') {
    namespaces('tenants.namespaces', tenants.namespaces, true);
    if ((tenants.namespaces as string[]).includes(policy.platformNamespace)) {
      throw new MeshPolicyError('tenants.namespaces', 'must not include the platform namespace');
    }
  } else {
    throw new MeshPolicyError('tenants.kind', `must be "label" or "list", got ${JSON.stringify(tenants.kind)}`);
  }
  const c = policy.conventions;
  for (const key of [
    'managedAnnotation',
    'exposedToAnnotation',
    'workloadClassLabel',
    'routedFromIngressKey',
    'calledByPlatformKey',
    'platformServiceLabel',
  ] as const) {
    qualifiedName(`conventions.${key}`, c[key]);
  }
  for (const key of ['trainingLabels', 'knativeLabels', 'ingressRoutedLabels'] as const) {
    if (!Array.isArray(c[key])) throw new MeshPolicyError(`conventions.${key}`, 'must be a list');
    c[key].forEach((v, i) => qualifiedName(`conventions.${key}[${i}]`, v));
  }
  for (const key of ['trainingOwnerKinds', 'knativeOwnerKinds', 'ingressRoutedOwnerKinds'] as const) {
    ownerKinds(`conventions.${key}`, c[key]);
  }
  return policy;
}

/**
 * Whether `namespace` is a tenant's: true/false, or undefined when the selector needs the
 * namespace's labels and they are not known (the caller then leaves the Service alone).
 */
export function isTenantNamespace(policy: MeshPolicy, namespace: string, namespaceLabels: StringMap | undefined): boolean | undefined {
  if (namespace === policy.platformNamespace) return false;
  const selector = policy.tenants;
  if (selector.kind === 'list') return selector.namespaces.includes(namespace);
  if (namespaceLabels === undefined) return undefined;
  if (!Object.prototype.hasOwnProperty.call(namespaceLabels, selector.label)) return false;
  return selector.value === undefined || namespaceLabels[selector.label] === selector.value;
}

/** The API group of an owner reference (`apps/v1` → `apps`, `v1` → ''). */
export function ownerGroup(owner: Pick<OwnerReference, 'apiVersion'>): string {
  const slash = owner.apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : owner.apiVersion.slice(0, slash);
}

/** The first owner reference matching one of `kinds`, if any. */
export function findOwner(owners: readonly OwnerReference[], kinds: readonly OwnerKind[]): OwnerReference | undefined {
  return owners.find((o) => kinds.some((k) => k.kind === o.kind && k.group === ownerGroup(o)));
}
