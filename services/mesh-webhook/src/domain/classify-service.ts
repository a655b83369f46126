// Decides a Service's `networking.istio.io/exportTo`: as narrow as its real callers allow, never
// narrower. Whatever is unknown or malformed leaves the Service at Istio's default visibility.
import { cloneJson } from './json-patch';
import {
  findOwner,
  ISTIO_DATAPLANE_MODE_LABEL,
  ISTIO_EXPORT_TO_ANNOTATION,
  ISTIO_INJECTION_NAMESPACE_LABEL,
  ISTIO_SIDECAR_INJECT,
  isNamespaceName,
  isTenantNamespace,
  type MeshPolicy,
  type OwnerKind,
  WORKLOAD_CLASSES,
  type WorkloadClass,
} from './mesh-policy';
import type { OwnerReference, Service, StringMap } from './types';

/** Bounded set of rule names, safe as a metric label. */
export const CLASSIFICATION_RULES = [
  'user-annotation',
  'kubernetes-api',
  'platform-namespace',
  'platform-service',
  'not-tenant',
  'namespace-unknown',
  'invalid-convention',
  'exposed-to-mesh',
  'exposed-to',
  'tenant-reachable',
  'pod-to-pod',
  'pod-to-pod-sidecarless',
  'tenant-internal',
] as const;
export type ClassificationRule = (typeof CLASSIFICATION_RULES)[number];

/** Rules under which the webhook could not do its job; the review reports them as errors. */
export const FAILED_CLASSIFICATION_RULES: ReadonlySet<ClassificationRule> = new Set(['namespace-unknown', 'invalid-convention']);

export interface Classification {
  /** The exportTo entries to set, `.` first; null leaves the annotation as it is. */
  exportTo: string[] | null;
  rule: ClassificationRule;
  /** One line for logs and admission warnings. */
  reason: string;
}

export interface ClassifyContext {
  policy: MeshPolicy;
  /** The request's namespace (authoritative on CREATE); falls back to `metadata.namespace`. */
  namespace?: string;
  /** Labels of the Service's namespace; a label tenant selector needs them. */
  namespaceLabels?: StringMap;
  /** A lookup's verdict on whether the Service's pods run without sidecars; undefined when unknown. */
  podsRunWithoutSidecars?: boolean;
}

/** Who set the Service's current exportTo: nobody, this webhook (value equals its marker), or a user. */
export type ExportToOwner = 'none' | 'webhook' | 'user';

/** Splits an exportTo-style list the way Istio does (comma-separated, entries trimmed), dropping empties. */
export function parseExportTo(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The annotation value Istio reads: entries joined by commas. */
export function formatExportTo(entries: readonly string[]): string {
  return entries.join(',');
}

/**
 * Canonical exportTo: the Service's own namespace becomes `.`, `*` absorbs everything, `~` stands
 * alone, duplicates go, `.` first and the rest sorted by code unit (locale-independent).
 */
export function normalizeExportTo(entries: Iterable<string>, ownNamespace: string): string[] {
  const set = new Set<string>();
  for (const entry of entries) set.add(entry === ownNamespace ? '.' : entry);
  if (set.has('*')) return ['*'];
  if (set.size === 0 || (set.size === 1 && set.has('~'))) return ['~'];
  set.delete('~');
  const rest = [...set].filter((e) => e !== '.').sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return set.has('.') ? ['.', ...rest] : rest;
}

/** Who owns the Service's exportTo annotation; Istio ignores a blank value, and so does this. */
export function exportToOwner(service: Service, policy: MeshPolicy): ExportToOwner {
  const annotations = service.metadata.annotations ?? {};
  const current = annotations[ISTIO_EXPORT_TO_ANNOTATION];
  if (current === undefined || current.trim() === '') return 'none';
  return annotations[policy.conventions.managedAnnotation] === current ? 'webhook' : 'user';
}

const MAX_QUOTED = 64;
// Reasons go into logs and admission warnings; long exposure lists must not make them unbounded.
const MAX_REASON = 300;
function quote(value: string): string {
  return JSON.stringify(value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value);
}

function own(map: StringMap, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

/** `label k=true` or `annotation k=true` when the Service carries the flag `key`. */
function flagEvidence(labels: StringMap, annotations: StringMap, key: string): string | undefined {
  if (own(labels, key) === 'true') return `label ${key}=true`;
  if (own(annotations, key) === 'true') return `annotation ${key}=true`;
  return undefined;
}

/** `<where> <key>` for the first of `keys` present in `map`. */
function presenceEvidence(map: StringMap, keys: readonly string[], where: string): string | undefined {
  const key = keys.find((k) => own(map, k) !== undefined);
  return key === undefined ? undefined : `${where} ${key}`;
}

/** `owner <Kind> "<name>"` for the first owner of one of `kinds`. */
function ownerEvidence(owners: readonly OwnerReference[], kinds: readonly OwnerKind[]): string | undefined {
  const owner = findOwner(owners, kinds);
  return owner === undefined ? undefined : `owner ${owner.kind} ${quote(owner.name)}`;
}

/** Istio's reading of `sidecar.istio.io/inject`: label over annotation; y/yes/true/on inject, other non-empty values do not. */
function injectionSwitch(labels: StringMap, annotations: StringMap): { inject: boolean; evidence: string } | undefined {
  const label = own(labels, ISTIO_SIDECAR_INJECT);
  const value = label ?? own(annotations, ISTIO_SIDECAR_INJECT);
  if (value === undefined || value === '') return undefined;
  const where = `${label !== undefined ? 'label' : 'annotation'} ${ISTIO_SIDECAR_INJECT}=${quote(value)}`;
  return { inject: ['y', 'yes', 'true', 'on'].includes(value.toLowerCase()), evidence: where };
}

interface Callers {
  namespaces: Set<string>;
  why: string[];
}

/** Classifies a Service; pure, total (never throws on a well-typed Service). */
export function classifyService(service: Service, context: ClassifyContext): Classification {
  const { policy } = context;
  const c = policy.conventions;
  const meta = service.metadata;
  const labels: StringMap = meta.labels ?? {};
  const annotations: StringMap = meta.annotations ?? {};
  const selector: StringMap = service.spec?.selector ?? {};
  const owners = meta.ownerReferences ?? [];
  const namespace = context.namespace || meta.namespace || '';
  const name = meta.name ?? '';
  const result = (exportTo: string[] | null, rule: ClassificationRule, reason: string): Classification => ({
    exportTo,
    rule,
    reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason,
  });

  if (exportToOwner(service, policy) === 'user') {
    return result(null, 'user-annotation', `${ISTIO_EXPORT_TO_ANNOTATION}=${quote(annotations[ISTIO_EXPORT_TO_ANNOTATION] ?? '')} was set by the user`);
  }
  if (namespace === 'default' && name === 'kubernetes') {
    return result(null, 'kubernetes-api', 'the kubernetes Service in default stays visible to the whole mesh');
  }
  if (namespace === policy.platformNamespace) {
    return result(null, 'platform-namespace', `Services in the platform namespace ${namespace} stay visible to the whole mesh`);
  }
  if (!isNamespaceName(namespace)) {
    return result(null, 'namespace-unknown', `the Service's namespace ${quote(namespace)} is not a namespace name`);
  }
  const tenant = isTenantNamespace(policy, namespace, context.namespaceLabels);
  if (tenant === undefined) {
    const label = policy.tenants.kind === 'label' ? policy.tenants.label : '';
    return result(null, 'namespace-unknown', `labels of namespace ${namespace} are unknown, so whether it is a tenant (label ${label}) cannot be told`);
  }
  if (!tenant) return result(null, 'not-tenant', `namespace ${namespace} is not a tenant namespace`);
  if (own(labels, c.platformServiceLabel) === 'true') {
    return result(null, 'platform-service', `label ${c.platformServiceLabel}=true marks a platform Service`);
  }

  const rawClass = own(labels, c.workloadClassLabel);
  const workloadClass = (WORKLOAD_CLASSES as readonly string[]).includes(rawClass ?? '') ? (rawClass as WorkloadClass) : undefined;
  const classNote = rawClass !== undefined && workloadClass === undefined ? ` (unknown ${c.workloadClassLabel}=${quote(rawClass)} ignored)` : '';

  const callers: Callers = { namespaces: new Set(), why: [] };
  const addCallers = (namespaces: readonly string[], why: string): void => {
    namespaces.forEach((n) => callers.namespaces.add(n));
    callers.why.push(`${why} → ${namespaces.join(',')}`);
  };

  // Explicit exposure first: a malformed one leaves the Service alone rather than guess its callers.
  const exposedRaw = own(annotations, c.exposedToAnnotation);
  if (exposedRaw !== undefined) {
    const entries = parseExportTo(exposedRaw);
    const invalid = entries.filter((e) => e !== '*' && e !== '.' && !isNamespaceName(e));
    if (entries.length === 0 || invalid.length > 0) {
      const what = entries.length === 0 ? 'is empty' : `has invalid entries ${invalid.slice(0, 5).map(quote).join(', ')}`;
      return result(null, 'invalid-convention', `annotation ${c.exposedToAnnotation} ${what}; want namespace names or "*"`);
    }
    if (entries.includes('*')) {
      return result(['*'], 'exposed-to-mesh', `annotation ${c.exposedToAnnotation}="*" exposes the Service to the whole mesh`);
    }
    addCallers(entries, `annotation ${c.exposedToAnnotation}`);
  }

  // Routed from outside: an exportTo that hides the Service from the gateway breaks the route.
  const routedEvidence =
    flagEvidence(labels, annotations, c.routedFromIngressKey) ??
    (workloadClass === 'notebook' || workloadClass === 'dashboard' || workloadClass === 'serving'
      ? `label ${c.workloadClassLabel}=${workloadClass}`
      : undefined) ??
    presenceEvidence(labels, c.ingressRoutedLabels, 'label') ??
    presenceEvidence(selector, c.ingressRoutedLabels, 'selector') ??
    ownerEvidence(owners, c.ingressRoutedOwnerKinds);
  if (routedEvidence) addCallers(policy.ingressGatewayNamespaces, `routed from ingress (${routedEvidence})`);

  // Knative: the activator calls revisions, and Knative's Istio gateways route to them.
  const knativeEvidence = presenceEvidence(labels, c.knativeLabels, 'label') ?? ownerEvidence(owners, c.knativeOwnerKinds);
  if (knativeEvidence) {
    addCallers([policy.knativeServingNamespace, ...policy.ingressGatewayNamespaces], `Knative/KServe (${knativeEvidence})`);
  }

  const platformEvidence = flagEvidence(labels, annotations, c.calledByPlatformKey);
  if (platformEvidence) addCallers([policy.platformNamespace], `called by the platform (${platformEvidence})`);

  if (exposedRaw !== undefined) {
    return result(normalizeExportTo(['.', ...callers.namespaces], namespace), 'exposed-to', callers.why.join('; ') + classNote);
  }
  const exportTo = normalizeExportTo(['.', ...callers.namespaces], namespace);
  if (exportTo.length > 1) return result(exportTo, 'tenant-reachable', callers.why.join('; ') + classNote);

  // Pod-to-pod plumbing: only the job's own pods call it, by pod DNS names of a headless Service.
  const headless = service.spec?.clusterIP === 'None';
  const plumbingEvidence =
    (workloadClass === 'training' || workloadClass === 'plumbing' ? `label ${c.workloadClassLabel}=${workloadClass}` : undefined) ??
    presenceEvidence(labels, c.trainingLabels, 'label') ??
    ownerEvidence(owners, c.trainingOwnerKinds);
  if (headless && plumbingEvidence) {
    const sidecarless = sidecarlessEvidence(service, namespace, context);
    if (sidecarless.sidecarless) {
      return result(['~'], 'pod-to-pod-sidecarless', `headless pod-to-pod Service (${plumbingEvidence}) whose pods run without sidecars (${sidecarless.evidence}); no proxy needs it`);
    }
    return result(['.'], 'pod-to-pod', `headless pod-to-pod Service (${plumbingEvidence}); its pods may have sidecars (${sidecarless.evidence})`);
  }
  return result(['.'], 'tenant-internal', `no caller outside namespace ${namespace} is declared${classNote}`);
}

/** Positive evidence only: `~` hides the Service from every proxy, so any doubt keeps `.`. */
function sidecarlessEvidence(service: Service, namespace: string, context: ClassifyContext): { sidecarless: boolean; evidence: string } {
  const nsLabels = context.namespaceLabels ?? {};
  const labels = service.metadata.labels ?? {};
  if (own(nsLabels, ISTIO_DATAPLANE_MODE_LABEL) === 'ambient' || own(labels, ISTIO_DATAPLANE_MODE_LABEL) === 'ambient') {
    return { sidecarless: false, evidence: `${ISTIO_DATAPLANE_MODE_LABEL}=ambient: waypoints still route to it` };
  }
  if (context.podsRunWithoutSidecars !== undefined) {
    return { sidecarless: context.podsRunWithoutSidecars, evidence: `lookup says pods ${context.podsRunWithoutSidecars ? 'have no' : 'have'} sidecars` };
  }
  const inject = injectionSwitch(labels, service.metadata.annotations ?? {});
  if (inject) return { sidecarless: !inject.inject, evidence: inject.evidence };
  if (own(nsLabels, ISTIO_INJECTION_NAMESPACE_LABEL) === 'disabled') {
    return { sidecarless: true, evidence: `namespace label ${ISTIO_INJECTION_NAMESPACE_LABEL}=disabled` };
  }
  if (context.policy.sidecarlessNamespaces.includes(namespace)) {
    return { sidecarless: true, evidence: 'namespace listed in policy.sidecarlessNamespaces' };
  }
  return { sidecarless: false, evidence: 'no evidence of sidecar-less pods' };
}

/**
 * A deep copy of `service` with the classification applied: sets exportTo and the webhook's marker,
 * or, when the Service no longer needs narrowing, removes a value the webhook itself set. User
 * values are never touched; failed classifications leave the object as it is.
 */
export function applyClassification(service: Service, classification: Classification, policy: MeshPolicy): Service {
  const copy = cloneJson(service);
  if (FAILED_CLASSIFICATION_RULES.has(classification.rule) || classification.rule === 'user-annotation') return copy;
  const managedKey = policy.conventions.managedAnnotation;
  const annotations: Record<string, string> = { ...(copy.metadata.annotations ?? {}) };
  if (classification.exportTo !== null) {
    const value = formatExportTo(classification.exportTo);
    annotations[ISTIO_EXPORT_TO_ANNOTATION] = value;
    annotations[managedKey] = value;
  } else {
    const owner = exportToOwner(service, policy);
    if (owner === 'user') return copy;
    if (owner === 'webhook') delete annotations[ISTIO_EXPORT_TO_ANNOTATION];
    if (!Object.prototype.hasOwnProperty.call(annotations, managedKey)) return copy;
    delete annotations[managedKey];
  }
  copy.metadata.annotations = annotations;
  return copy;
}
