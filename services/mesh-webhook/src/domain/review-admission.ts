// The webhook's logic function, after Istio's injector: it takes the decoded AdmissionReview, never
// throws, and puts any error inside the response — allowed, unchanged, with a warning — because a
// mesh optimisation must never block a Service from being admitted.
import {
  applyClassification,
  type ClassificationRule,
  classifyService,
  FAILED_CLASSIFICATION_RULES,
} from './classify-service';
import { cloneJson, createJsonPatch, encodeJsonPatch, JsonDepthError, type JsonPatchOperation } from './json-patch';
import type { MeshPolicy } from './mesh-policy';
import type { AdmissionOperation, AdmissionResponse, AdmissionReview, Service, StringMap } from './types';

/** Lookups the HTTP layer answers from its informer caches; both optional, both synchronous. */
export interface MeshLookups {
  /** Labels of a namespace; undefined when the namespace is not (yet) known. */
  namespaceLabels?(namespace: string): StringMap | undefined;
  /** Whether the pods behind the Service run without sidecars; undefined when unknown. */
  podsRunWithoutSidecars?(service: Service, namespace: string): boolean | undefined;
}

export type ReviewOutcome = 'patched' | 'unchanged' | 'error';

/** Rules of the review itself, added to the classification rules; a bounded metric label. */
export const REVIEW_RULES = ['malformed-review', 'unsupported-kind', 'malformed-object', 'operation-ignored', 'internal-error'] as const;
export type ReviewRule = ClassificationRule | (typeof REVIEW_RULES)[number];

export interface ReviewResult {
  /** The AdmissionReview to send back: apiVersion, kind and response (uid echoed). */
  review: AdmissionReview;
  outcome: ReviewOutcome;
  rule: ReviewRule;
  reason: string;
  /** The decoded patch, when there is one (for logs). */
  patch?: JsonPatchOperation[];
}

const API_VERSION = 'admission.k8s.io/v1';
const OPERATIONS: readonly AdmissionOperation[] = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
// The API server may truncate longer warnings; keep them one short printable line.
const MAX_WARNING = 256;
const MAX_QUOTED = 64;

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function get(obj: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** A short, bounded description of an untrusted value for a reason string. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value);
  return `${typeof value} ${String(value)}`;
}

function toWarning(reason: string): string {
  const line = `mesh-webhook: ${reason}`.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return line.length > MAX_WARNING ? `${line.slice(0, MAX_WARNING - 1)}…` : line;
}

/** A Service-shaped check of `request.object`; returns the problem, or undefined when it is fine. */
function serviceProblem(object: unknown): string | undefined {
  if (!isObject(object)) return `request.object is ${describeValue(object)}, expected a Service object`;
  const apiVersion = get(object, 'apiVersion');
  const kind = get(object, 'kind');
  if ((apiVersion !== undefined && apiVersion !== 'v1') || (kind !== undefined && kind !== 'Service')) {
    return `request.object is apiVersion ${describeValue(apiVersion)} kind ${describeValue(kind)}, expected v1 Service`;
  }
  const metadata = get(object, 'metadata');
  if (!isObject(metadata)) return `request.object.metadata is ${describeValue(metadata)}, expected an object`;
  for (const key of ['name', 'namespace']) {
    const v = get(metadata, key);
    if (v !== undefined && typeof v !== 'string') return `request.object.metadata.${key} is ${describeValue(v)}, expected a string`;
  }
  for (const key of ['labels', 'annotations']) {
    const map = get(metadata, key);
    if (map === undefined || map === null) continue;
    if (!isObject(map)) return `request.object.metadata.${key} is ${describeValue(map)}, expected a string map`;
    for (const k of Object.keys(map)) {
      if (typeof map[k] !== 'string') {
        return `request.object.metadata.${key}[${describeValue(k)}] is ${describeValue(map[k])}, expected a string`;
      }
    }
  }
  const owners = get(metadata, 'ownerReferences');
  if (owners !== undefined && owners !== null) {
    if (!Array.isArray(owners)) return `request.object.metadata.ownerReferences is ${describeValue(owners)}, expected an array`;
    const bad = owners.findIndex(
      (o) => !isObject(o) || typeof get(o, 'apiVersion') !== 'string' || typeof get(o, 'kind') !== 'string' || typeof get(o, 'name') !== 'string',
    );
    if (bad >= 0) return `request.object.metadata.ownerReferences[${bad}] needs string apiVersion, kind and name`;
  }
  const spec = get(object, 'spec');
  if (spec === undefined) return undefined;
  if (!isObject(spec)) return `request.object.spec is ${describeValue(spec)}, expected an object`;
  const clusterIP = get(spec, 'clusterIP');
  if (clusterIP !== undefined && typeof clusterIP !== 'string') return `request.object.spec.clusterIP is ${describeValue(clusterIP)}, expected a string`;
  const selector = get(spec, 'selector');
  if (selector !== undefined && selector !== null) {
    if (!isObject(selector) || Object.keys(selector).some((k) => typeof selector[k] !== 'string')) {
      return 'request.object.spec.selector is not a string map';
    }
  }
  return undefined;
}

/**
 * Reviews one Service admission. Never throws: a malformed review, an unexpected kind or any
 * internal failure yields `allowed: true` without a patch, a warning, and outcome `error`.
 */
export function reviewAdmission(review: unknown, policy: MeshPolicy, lookups: MeshLookups = {}): ReviewResult {
  // Echo the uid whenever one can be found, even in a review rejected for another reason.
  let request: unknown;
  let rawUid: unknown;
  try {
    request = isObject(review) ? get(review, 'request') : undefined;
    rawUid = isObject(request) ? get(request, 'uid') : undefined;
  } catch {
    request = rawUid = undefined;
  }
  const uid = typeof rawUid === 'string' ? rawUid : '';

  const respond = (outcome: ReviewOutcome, rule: ReviewRule, reason: string, patch?: JsonPatchOperation[]): ReviewResult => {
    const response: AdmissionResponse = { uid, allowed: true };
    if (patch !== undefined && patch.length > 0) {
      response.patchType = 'JSONPatch';
      response.patch = encodeJsonPatch(patch);
    }
    if (outcome === 'error') response.warnings = [toWarning(reason)];
    const result: ReviewResult = { review: { apiVersion: API_VERSION, kind: 'AdmissionReview', response }, outcome, rule, reason };
    if (response.patch !== undefined) result.patch = patch;
    return result;
  };
  const fail = (rule: ReviewRule, reason: string): ReviewResult => respond('error', rule, reason);

  try {
    if (!isObject(review)) return fail('malformed-review', `the review is ${describeValue(review)}, expected an AdmissionReview object`);
    const apiVersion = get(review, 'apiVersion');
    const kind = get(review, 'kind');
    if (apiVersion !== API_VERSION) return fail('malformed-review', `apiVersion is ${describeValue(apiVersion)}, expected "${API_VERSION}"`);
    if (kind !== 'AdmissionReview') return fail('malformed-review', `kind is ${describeValue(kind)}, expected "AdmissionReview"`);
    if (!isObject(request)) return fail('malformed-review', `request is ${describeValue(request)}, expected an object`);
    if (typeof rawUid !== 'string' || rawUid === '') return fail('malformed-review', `request.uid is ${describeValue(rawUid)}, expected a non-empty string`);

    const gvk = get(request, 'kind');
    if (!isObject(gvk)) return fail('malformed-review', `request.kind is ${describeValue(gvk)}, expected {group, version, kind}`);
    const [group, version, resourceKind] = [get(gvk, 'group'), get(gvk, 'version'), get(gvk, 'kind')];
    if ((group !== '' && group !== undefined) || version !== 'v1' || resourceKind !== 'Service') {
      return fail(
        'unsupported-kind',
        `request.kind is group ${describeValue(group ?? '')} version ${describeValue(version)} kind ${describeValue(resourceKind)}, expected core v1 Service`,
      );
    }
    const operation = get(request, 'operation');
    if (typeof operation !== 'string' || !(OPERATIONS as readonly string[]).includes(operation)) {
      return fail('malformed-review', `request.operation is ${describeValue(operation)}, expected one of ${OPERATIONS.join(', ')}`);
    }
    if (operation === 'DELETE' || operation === 'CONNECT') {
      return respond('unchanged', 'operation-ignored', `${operation} is allowed as it is`);
    }
    const subResource = get(request, 'subResource');
    if (typeof subResource === 'string' && subResource !== '') {
      return respond('unchanged', 'operation-ignored', `subresource ${describeValue(subResource)} is allowed as it is`);
    }

    const object = get(request, 'object');
    const problem = serviceProblem(object);
    if (problem !== undefined) return fail('malformed-object', problem);
    let original: Service;
    try {
      // The diff's baseline is a deep copy too, so hostile nesting fails here, once, with a path.
      original = cloneJson(object as Service);
    } catch (err) {
      if (err instanceof JsonDepthError) return fail('malformed-object', `request.object ${err.message}`);
      throw err;
    }

    const requestNamespace = get(request, 'namespace');
    const namespace = typeof requestNamespace === 'string' && requestNamespace !== '' ? requestNamespace : (original.metadata.namespace ?? '');
    if (namespace === '') return fail('malformed-review', 'neither request.namespace nor request.object.metadata.namespace is set');

    const namespaceLabels = lookups.namespaceLabels?.(namespace);
    const podsRunWithoutSidecars = lookups.podsRunWithoutSidecars?.(original, namespace);
    const classification = classifyService(original, { policy, namespace, namespaceLabels, podsRunWithoutSidecars });
    if (FAILED_CLASSIFICATION_RULES.has(classification.rule)) return fail(classification.rule, classification.reason);

    const mutated = applyClassification(original, classification, policy);
    const patch = createJsonPatch(original, mutated);
    return respond(patch.length > 0 ? 'patched' : 'unchanged', classification.rule, classification.reason, patch);
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : describeValue(err);
    return fail('internal-error', `internal error: ${message.length > 200 ? `${message.slice(0, 200)}…` : message}`);
  }
}
