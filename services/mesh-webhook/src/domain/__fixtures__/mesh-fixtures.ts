// Shared fixtures for the domain specs and the golden files: one policy, one cluster's namespaces.
import { createMeshPolicy, type MeshPolicy } from '../mesh-policy';
import type { MeshLookups } from '../review-admission';
import type { AdmissionOperation, OwnerReference, Service, StringMap } from '../types';

export const POLICY: MeshPolicy = createMeshPolicy({ platformNamespace: 'prescient-system' });

/** The namespaces of the fixture cluster and their labels. */
export const NAMESPACE_LABELS: Readonly<Record<string, StringMap>> = {
  default: { 'kubernetes.io/metadata.name': 'default' },
  'kube-system': { 'kubernetes.io/metadata.name': 'kube-system' },
  'istio-system': { 'kubernetes.io/metadata.name': 'istio-system' },
  'knative-serving': { 'kubernetes.io/metadata.name': 'knative-serving' },
  'prescient-system': { 'kubernetes.io/metadata.name': 'prescient-system', 'istio-injection': 'enabled' },
  'team-a': { 'prescient.io/tenant': 'acme', 'istio-injection': 'enabled' },
  'team-b': { 'prescient.io/tenant': 'globex', 'istio-injection': 'enabled' },
  'team-nomesh': { 'prescient.io/tenant': 'initech', 'istio-injection': 'disabled' },
  'team-ambient': { 'prescient.io/tenant': 'umbrella', 'istio.io/dataplane-mode': 'ambient' },
};

export const LOOKUPS: MeshLookups = {
  namespaceLabels: (namespace) => NAMESPACE_LABELS[namespace],
};

export interface ServiceFixture {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  clusterIP?: string;
  selector?: Record<string, string>;
}

/** A Service as the API server sends it; labels/annotations/owners only when given. */
export function service(f: ServiceFixture = {}): Service {
  const metadata: Service['metadata'] = { name: f.name ?? 'svc', namespace: f.namespace ?? 'team-a' };
  if (f.labels) metadata.labels = f.labels;
  if (f.annotations) metadata.annotations = f.annotations;
  if (f.ownerReferences) metadata.ownerReferences = f.ownerReferences;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      clusterIP: f.clusterIP ?? '10.96.0.10',
      selector: f.selector ?? { app: f.name ?? 'svc' },
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
      type: 'ClusterIP',
    },
  };
}

export function owner(apiVersion: string, kind: string, name: string): OwnerReference {
  return { apiVersion, kind, name, uid: `uid-${name}`, controller: true, blockOwnerDeletion: true };
}

/** An admission.k8s.io/v1 review of a Service, as plain JSON. */
export function review(object: unknown, opts: { operation?: AdmissionOperation; uid?: string; namespace?: string; oldObject?: unknown; dryRun?: boolean } = {}): Record<string, unknown> {
  const namespace = opts.namespace ?? ((object as Service | null)?.metadata?.namespace || 'team-a');
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: opts.uid ?? '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group: '', version: 'v1', kind: 'Service' },
      resource: { group: '', version: 'v1', resource: 'services' },
      requestKind: { group: '', version: 'v1', kind: 'Service' },
      requestResource: { group: '', version: 'v1', resource: 'services' },
      name: (object as Service | null)?.metadata?.name,
      namespace,
      operation: opts.operation ?? 'CREATE',
      userInfo: { username: 'admin', uid: '014fbff9a07c', groups: ['system:authenticated'] },
      object,
      oldObject: opts.oldObject ?? null,
      dryRun: opts.dryRun ?? false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}

/** The JSON patch inside an AdmissionResponse, decoded. */
export function decodePatch(patch: string | undefined): unknown {
  return patch === undefined ? undefined : JSON.parse(Buffer.from(patch, 'base64').toString('utf8'));
}
