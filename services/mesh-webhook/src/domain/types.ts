// Minimal shapes of the Kubernetes and Istio objects the webhook reads and writes. Only the fields
// the domain logic touches are named; everything else passes through untouched as `unknown`.

/** Kubernetes labels or annotations: string keys to string values. */
export type StringMap = Readonly<Record<string, string>>;

/** A JSON value as it arrives on the wire. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** `metav1.GroupVersionKind`; the core group is the empty string. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** `metav1.GroupVersionResource`. */
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** admission.k8s.io/v1 AdmissionRequest (the fields the webhook uses). */
export interface AdmissionRequest<T = unknown> {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  name?: string;
  /** Authoritative on CREATE: `object.metadata.namespace` may still be empty then. */
  namespace?: string;
  operation: AdmissionOperation;
  object: T | null;
  oldObject?: T | null;
  dryRun?: boolean;
}

/** `metav1.Status`, as carried in a response. */
export interface AdmissionStatus {
  code?: number;
  message?: string;
  reason?: string;
}

/** admission.k8s.io/v1 AdmissionResponse. */
export interface AdmissionResponse {
  /** Must echo `request.uid`, or the API server rejects the response. */
  uid: string;
  allowed: boolean;
  patchType?: 'JSONPatch';
  /** Base64 of the JSON-encoded RFC 6902 patch. */
  patch?: string;
  warnings?: string[];
  status?: AdmissionStatus;
}

/** admission.k8s.io/v1 AdmissionReview, in either direction. */
export interface AdmissionReview<T = unknown> {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  request?: AdmissionRequest<T>;
  response?: AdmissionResponse;
}

/** `metav1.OwnerReference`. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid?: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** `metav1.ObjectMeta` (subset). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: StringMap | null;
  annotations?: StringMap | null;
  ownerReferences?: readonly OwnerReference[] | null;
  [key: string]: unknown;
}

/** `core/v1.ServicePort` (subset). */
export interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
  [key: string]: unknown;
}

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

/** `core/v1.ServiceSpec` (subset). */
export interface ServiceSpec {
  /** `"None"` makes the Service headless. */
  clusterIP?: string;
  clusterIPs?: readonly string[];
  selector?: StringMap | null;
  ports?: readonly ServicePort[] | null;
  type?: ServiceType | string;
  [key: string]: unknown;
}

/** core/v1 Service. */
export interface Service {
  apiVersion?: 'v1';
  kind?: 'Service';
  metadata: ObjectMeta;
  spec?: ServiceSpec;
  [key: string]: unknown;
}

/** networking.istio.io/v1 Sidecar `IstioEgressListener` (subset). */
export interface SidecarEgressListener {
  /** `namespace/dnsName` entries; `.` is the Sidecar's own namespace, `*` any. */
  hosts: string[];
}

/** networking.istio.io/v1 Sidecar. */
export interface Sidecar {
  apiVersion: 'networking.istio.io/v1';
  kind: 'Sidecar';
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: { egress: SidecarEgressListener[] };
}
