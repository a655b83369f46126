import { LOOKUPS, NAMESPACE_LABELS, owner, POLICY, service, type ServiceFixture } from './__fixtures__/mesh-fixtures';
import {
  applyClassification,
  type ClassificationRule,
  classifyService,
  type ClassifyContext,
  exportToOwner,
  normalizeExportTo,
  parseExportTo,
} from './classify-service';
import { createJsonPatch } from './json-patch';
import { createMeshPolicy } from './mesh-policy';

const EXPORT_TO = 'networking.istio.io/exportTo';
const MANAGED = 'prescient.io/export-to-managed';
const TRAINING = { 'training.kubeflow.org/job-name': 'llm-ft', 'training.kubeflow.org/replica-type': 'worker' };

function context(namespace: string, extra: Partial<ClassifyContext> = {}): ClassifyContext {
  return { policy: POLICY, namespace, namespaceLabels: LOOKUPS.namespaceLabels?.(namespace), ...extra };
}

interface Case {
  name: string;
  svc: ServiceFixture;
  ctx?: Partial<ClassifyContext>;
  exportTo: string[] | null;
  rule: ClassificationRule;
  reason?: RegExp;
}

const cases: Case[] = [
  // An explicit user annotation always wins.
  { name: 'user annotation wins', svc: { annotations: { [EXPORT_TO]: 'team-b' } }, exportTo: null, rule: 'user-annotation', reason: /"team-b" was set by the user/ },
  { name: 'user annotation wins over a stale webhook marker', svc: { annotations: { [EXPORT_TO]: '*', [MANAGED]: '.' } }, exportTo: null, rule: 'user-annotation' },
  { name: 'user annotation wins over exposed-to', svc: { annotations: { [EXPORT_TO]: '~', 'prescient.io/exposed-to': '*' } }, exportTo: null, rule: 'user-annotation' },
  { name: 'user annotation wins in a non-tenant namespace', svc: { namespace: 'kube-system', annotations: { [EXPORT_TO]: '.' } }, exportTo: null, rule: 'user-annotation' },
  { name: 'a blank exportTo counts as unset, as in Istio', svc: { annotations: { [EXPORT_TO]: '  ' } }, exportTo: ['.'], rule: 'tenant-internal' },
  { name: "the webhook's own value is recomputed", svc: { annotations: { [EXPORT_TO]: '.', [MANAGED]: '.' }, labels: { 'prescient.io/routed-from-ingress': 'true' } }, exportTo: ['.', 'istio-system'], rule: 'tenant-reachable' },

  // Services that stay "*".
  { name: 'kubernetes Service in default', svc: { name: 'kubernetes', namespace: 'default' }, exportTo: null, rule: 'kubernetes-api' },
  { name: 'another Service in default is not a tenant', svc: { name: 'web', namespace: 'default' }, exportTo: null, rule: 'not-tenant' },
  { name: 'platform namespace', svc: { name: 'recommendation', namespace: 'prescient-system' }, exportTo: null, rule: 'platform-namespace' },
  { name: 'platform namespace, even headless training-looking', svc: { namespace: 'prescient-system', clusterIP: 'None', labels: TRAINING }, exportTo: null, rule: 'platform-namespace' },
  { name: 'platform Service inside a tenant namespace', svc: { labels: { 'prescient.io/platform-service': 'true' } }, exportTo: null, rule: 'platform-service' },
  { name: 'istio-system is not a tenant', svc: { name: 'istio-ingressgateway', namespace: 'istio-system' }, exportTo: null, rule: 'not-tenant' },
  { name: 'kube-system is not a tenant', svc: { name: 'kube-dns', namespace: 'kube-system' }, exportTo: null, rule: 'not-tenant' },
  { name: 'unknown namespace labels', svc: { namespace: 'team-new' }, exportTo: null, rule: 'namespace-unknown', reason: /team-new/ },

  // Tenant-internal.
  { name: 'plain ClusterIP Service', svc: {}, exportTo: ['.'], rule: 'tenant-internal' },
  { name: 'headless Service that is not plumbing', svc: { clusterIP: 'None', labels: { 'sidecar.istio.io/inject': 'false' } }, exportTo: ['.'], rule: 'tenant-internal' },
  { name: 'workload-class internal', svc: { labels: { 'prescient.io/workload-class': 'internal' } }, exportTo: ['.'], rule: 'tenant-internal' },
  { name: 'unknown workload-class is ignored and said so', svc: { labels: { 'prescient.io/workload-class': 'batch' } }, exportTo: ['.'], rule: 'tenant-internal', reason: /unknown prescient.io\/workload-class="batch" ignored/ },
  { name: 'called by the platform (label)', svc: { labels: { 'prescient.io/called-by-platform': 'true' } }, exportTo: ['.', 'prescient-system'], rule: 'tenant-reachable' },
  { name: 'called by the platform (annotation)', svc: { annotations: { 'prescient.io/called-by-platform': 'true' } }, exportTo: ['.', 'prescient-system'], rule: 'tenant-reachable' },
  { name: 'called-by-platform other than "true" is ignored', svc: { labels: { 'prescient.io/called-by-platform': 'yes' } }, exportTo: ['.'], rule: 'tenant-internal' },

  // Routed from the ingress gateway.
  { name: 'routed-from-ingress label', svc: { labels: { 'prescient.io/routed-from-ingress': 'true' } }, exportTo: ['.', 'istio-system'], rule: 'tenant-reachable', reason: /routed from ingress/ },
  { name: 'routed-from-ingress annotation', svc: { annotations: { 'prescient.io/routed-from-ingress': 'true' } }, exportTo: ['.', 'istio-system'], rule: 'tenant-reachable' },
  { name: 'Kubeflow Notebook owner (its Service carries no labels)', svc: { name: 'nb', selector: { statefulset: 'nb' }, ownerReferences: [owner('kubeflow.org/v1', 'Notebook', 'nb')] }, exportTo: ['.', 'istio-system'], rule: 'tenant-reachable', reason: /owner Notebook "nb"/ },
  { name: 'notebook-name label', svc: { labels: { 'notebook-name': 'nb' } }, exportTo: ['.', 'istio-system'], rule: 'tenant-reachable' },
  { name: 'notebook-name in the selector', svc: { selector: { 'notebook-name': 'nb' } }, exportTo: ['.', 'istio-system'], rule: 'tenant-reachable' },
  { name: 'workload-class dashboard', svc: { labels: { 'prescient.io/workload-class': 'dashboard' } }, exportTo: ['.', 'istio-system'], rule: 'tenant-reachable' },
  { name: 'workload-class notebook', svc: { labels: { 'prescient.io/workload-class': 'notebook' } }, exportTo: ['.', 'istio-system'], rule: 'tenant-reachable' },
  { name: 'workload-class serving', svc: { labels: { 'prescient.io/workload-class': 'serving' } }, exportTo: ['.', 'istio-system'], rule: 'tenant-reachable' },
  { name: 'a Notebook owner of another group does not count', svc: { ownerReferences: [owner('example.com/v1', 'Notebook', 'nb')] }, exportTo: ['.'], rule: 'tenant-internal' },

  // KServe / Knative.
  { name: 'KServe InferenceService label', svc: { labels: { 'serving.kserve.io/inferenceservice': 'sklearn-iris' } }, exportTo: ['.', 'istio-system', 'knative-serving'], rule: 'tenant-reachable', reason: /Knative\/KServe/ },
  { name: 'Knative revision label', svc: { name: 'iris-predictor-00001-private', labels: { 'serving.knative.dev/revision': 'iris-predictor-00001' } }, exportTo: ['.', 'istio-system', 'knative-serving'], rule: 'tenant-reachable' },
  { name: 'Knative ServerlessService owner', svc: { ownerReferences: [owner('networking.internal.knative.dev/v1alpha1', 'ServerlessService', 'iris-00001')] }, exportTo: ['.', 'istio-system', 'knative-serving'], rule: 'tenant-reachable' },
  { name: 'KServe headless revision is still reachable', svc: { clusterIP: 'None', labels: { 'serving.knative.dev/revision': 'r1', 'sidecar.istio.io/inject': 'false' } }, exportTo: ['.', 'istio-system', 'knative-serving'], rule: 'tenant-reachable' },

  // Exposed by annotation.
  { name: 'exposed-to namespaces', svc: { annotations: { 'prescient.io/exposed-to': 'team-b,team-c' } }, exportTo: ['.', 'team-b', 'team-c'], rule: 'exposed-to' },
  { name: 'exposed-to trimmed, deduplicated, sorted, own namespace as "."', svc: { annotations: { 'prescient.io/exposed-to': ' team-c , team-b,team-a,, team-c' } }, exportTo: ['.', 'team-b', 'team-c'], rule: 'exposed-to' },
  { name: 'exposed-to "*"', svc: { annotations: { 'prescient.io/exposed-to': '*' } }, exportTo: ['*'], rule: 'exposed-to-mesh' },
  { name: 'exposed-to "*" absorbs namespaces', svc: { annotations: { 'prescient.io/exposed-to': 'team-b,*' } }, exportTo: ['*'], rule: 'exposed-to-mesh' },
  { name: 'exposed-to plus routed and platform callers', svc: { labels: { 'prescient.io/routed-from-ingress': 'true', 'prescient.io/called-by-platform': 'true' }, annotations: { 'prescient.io/exposed-to': 'team-b' } }, exportTo: ['.', 'istio-system', 'prescient-system', 'team-b'], rule: 'exposed-to' },
  { name: 'exposed-to on headless training keeps callers', svc: { clusterIP: 'None', labels: { ...TRAINING, 'sidecar.istio.io/inject': 'false' }, annotations: { 'prescient.io/exposed-to': 'team-b' } }, exportTo: ['.', 'team-b'], rule: 'exposed-to' },
  { name: 'exposed-to with an invalid name', svc: { annotations: { 'prescient.io/exposed-to': 'team-b,Team_C' } }, exportTo: null, rule: 'invalid-convention', reason: /"Team_C"/ },
  { name: 'exposed-to "~" is invalid', svc: { annotations: { 'prescient.io/exposed-to': '~' } }, exportTo: null, rule: 'invalid-convention' },
  { name: 'exposed-to empty is invalid', svc: { annotations: { 'prescient.io/exposed-to': ' , ' } }, exportTo: null, rule: 'invalid-convention', reason: /is empty/ },

  // Headless pod-to-pod plumbing: "." with sidecars, "~" only when the pods have none.
  { name: 'headless Kubeflow training, pods with sidecars', svc: { clusterIP: 'None', labels: TRAINING }, exportTo: ['.'], rule: 'pod-to-pod' },
  { name: 'headless PyTorchJob owner, pods with sidecars', svc: { clusterIP: 'None', ownerReferences: [owner('kubeflow.org/v1', 'PyTorchJob', 'llm-ft')] }, exportTo: ['.'], rule: 'pod-to-pod', reason: /owner PyTorchJob "llm-ft"/ },
  { name: 'headless MPIJob owner, sidecar.istio.io/inject=false label', svc: { clusterIP: 'None', labels: { 'sidecar.istio.io/inject': 'false' }, ownerReferences: [owner('kubeflow.org/v2beta1', 'MPIJob', 'hvd')] }, exportTo: ['~'], rule: 'pod-to-pod-sidecarless' },
  { name: 'headless training, inject=false annotation', svc: { clusterIP: 'None', labels: TRAINING, annotations: { 'sidecar.istio.io/inject': 'false' } }, exportTo: ['~'], rule: 'pod-to-pod-sidecarless', reason: /annotation sidecar.istio.io\/inject="false"/ },
  { name: 'headless training, inject label "true" beats annotation "false"', svc: { clusterIP: 'None', labels: { ...TRAINING, 'sidecar.istio.io/inject': 'true' }, annotations: { 'sidecar.istio.io/inject': 'false' } }, exportTo: ['.'], rule: 'pod-to-pod' },
  { name: 'headless training, inject "No" means no sidecar (Istio)', svc: { clusterIP: 'None', labels: { ...TRAINING, 'sidecar.istio.io/inject': 'No' } }, exportTo: ['~'], rule: 'pod-to-pod-sidecarless' },
  { name: 'headless training in an istio-injection=disabled namespace', svc: { namespace: 'team-nomesh', clusterIP: 'None', labels: TRAINING }, exportTo: ['~'], rule: 'pod-to-pod-sidecarless', reason: /istio-injection=disabled/ },
  { name: 'headless training, namespace disabled but pods opt in', svc: { namespace: 'team-nomesh', clusterIP: 'None', labels: { ...TRAINING, 'sidecar.istio.io/inject': 'true' } }, exportTo: ['.'], rule: 'pod-to-pod' },
  { name: 'headless training in an ambient namespace stays "."', svc: { namespace: 'team-ambient', clusterIP: 'None', labels: { ...TRAINING, 'sidecar.istio.io/inject': 'false' } }, exportTo: ['.'], rule: 'pod-to-pod', reason: /ambient/ },
  { name: 'headless training, lookup says sidecar-less', svc: { clusterIP: 'None', labels: TRAINING }, ctx: { podsRunWithoutSidecars: true }, exportTo: ['~'], rule: 'pod-to-pod-sidecarless' },
  { name: 'headless training, lookup says sidecars despite a label', svc: { clusterIP: 'None', labels: { ...TRAINING, 'sidecar.istio.io/inject': 'false' } }, ctx: { podsRunWithoutSidecars: false }, exportTo: ['.'], rule: 'pod-to-pod' },
  { name: 'headless JobSet', svc: { clusterIP: 'None', ownerReferences: [owner('jobset.x-k8s.io/v1alpha2', 'JobSet', 'js')] }, exportTo: ['.'], rule: 'pod-to-pod' },
  { name: 'headless workload-class plumbing', svc: { clusterIP: 'None', labels: { 'prescient.io/workload-class': 'plumbing' } }, exportTo: ['.'], rule: 'pod-to-pod' },
  { name: 'headless workload-class training, sidecar-less', svc: { clusterIP: 'None', labels: { 'prescient.io/workload-class': 'training', 'sidecar.istio.io/inject': 'false' } }, exportTo: ['~'], rule: 'pod-to-pod-sidecarless' },
  { name: 'training Service with a ClusterIP is not plumbing', svc: { labels: { ...TRAINING, 'sidecar.istio.io/inject': 'false' } }, exportTo: ['.'], rule: 'tenant-internal' },
  { name: 'headless training routed from ingress keeps the gateway', svc: { clusterIP: 'None', labels: { ...TRAINING, 'sidecar.istio.io/inject': 'false', 'prescient.io/routed-from-ingress': 'true' } }, exportTo: ['.', 'istio-system'], rule: 'tenant-reachable' },
];

describe('classifyService', () => {
  it.each(cases)('$name', ({ svc, ctx, exportTo, rule, reason }) => {
    const s = service(svc);
    const result = classifyService(s, context(s.metadata.namespace ?? '', ctx));
    expect({ exportTo: result.exportTo, rule: result.rule }).toEqual({ exportTo, rule });
    if (reason) expect(result.reason).toMatch(reason);
    expect(result.reason.length).toBeLessThan(400);
  });

  it('uses the request namespace when metadata.namespace is empty (CREATE)', () => {
    const s = service({ clusterIP: 'None', labels: TRAINING });
    s.metadata.namespace = '';
    expect(classifyService(s, context('team-nomesh')).exportTo).toEqual(['~']);
  });

  it('exports to every configured gateway namespace', () => {
    const policy = createMeshPolicy({ platformNamespace: 'prescient-system', ingressGatewayNamespaces: ['gw-b', 'gw-a'] });
    const s = service({ labels: { 'serving.kserve.io/inferenceservice': 'iris' } });
    expect(classifyService(s, { ...context('team-a'), policy }).exportTo).toEqual(['.', 'gw-a', 'gw-b', 'knative-serving']);
  });

  it('works with a static tenant list and no namespace labels', () => {
    const policy = createMeshPolicy({ platformNamespace: 'prescient-system', tenants: { kind: 'list', namespaces: ['team-a'] } });
    expect(classifyService(service(), { policy, namespace: 'team-a' }).rule).toBe('tenant-internal');
    expect(classifyService(service({ namespace: 'team-b' }), { policy, namespace: 'team-b' }).rule).toBe('not-tenant');
  });

  it('honours policy.sidecarlessNamespaces', () => {
    const policy = createMeshPolicy({ platformNamespace: 'prescient-system', sidecarlessNamespaces: ['team-a'] });
    const s = service({ clusterIP: 'None', labels: TRAINING });
    expect(classifyService(s, { ...context('team-a'), policy }).exportTo).toEqual(['~']);
  });

  it('keeps reasons bounded when label values are huge', () => {
    const s = service({ clusterIP: 'None', labels: { 'prescient.io/workload-class': 'x'.repeat(10_000) }, annotations: { 'prescient.io/exposed-to': 'Y'.repeat(10_000) } });
    expect(classifyService(s, context('team-a')).reason.length).toBeLessThan(400);
    const many = Array.from({ length: 2_000 }, (_, i) => `tenant-${i}`).join(',');
    const wide = classifyService(service({ annotations: { 'prescient.io/exposed-to': many } }), context('team-a'));
    expect(wide.exportTo).toHaveLength(2_001);
    expect(wide.reason.length).toBeLessThanOrEqual(300);
  });
});

describe('parseExportTo / normalizeExportTo', () => {
  it.each([
    ['', []],
    ['.', ['.']],
    ['ns1,ns2', ['ns1', 'ns2']],
    ['ns1, ns2', ['ns1', 'ns2']],
    ['ns1 ,ns2,', ['ns1', 'ns2']],
  ])('parses %j like Istio', (value, expected) => {
    expect(parseExportTo(value)).toEqual(expected);
  });

  it.each([
    [['b', '.', 'a', 'b'], ['.', 'a', 'b']],
    [['team-a', 'b'], ['.', 'b']],
    [['.', '*', 'b'], ['*']],
    [['~'], ['~']],
    [[], ['~']],
    [['z', 'a'], ['a', 'z']],
    [['B', 'a', '.'], ['.', 'B', 'a']],
  ])('normalizes %j', (entries, expected) => {
    expect(normalizeExportTo(entries, 'team-a')).toEqual(expected);
  });
});

describe('applyClassification', () => {
  const classify = (s: ReturnType<typeof service>) => classifyService(s, context(s.metadata.namespace ?? ''));

  it('adds the whole annotations map when there is none, with the marker', () => {
    const s = service();
    const mutated = applyClassification(s, classify(s), POLICY);
    expect(mutated.metadata.annotations).toEqual({ [EXPORT_TO]: '.', [MANAGED]: '.' });
    expect(s.metadata.annotations).toBeUndefined();
    expect(exportToOwner(mutated, POLICY)).toBe('webhook');
  });

  it('joins entries with commas', () => {
    const s = service({ annotations: { 'prescient.io/exposed-to': 'team-b,team-c' } });
    expect(applyClassification(s, classify(s), POLICY).metadata.annotations?.[EXPORT_TO]).toBe('.,team-b,team-c');
  });

  it('never touches a user value', () => {
    const s = service({ annotations: { [EXPORT_TO]: 'team-b', [MANAGED]: '.' } });
    expect(createJsonPatch(s, applyClassification(s, classify(s), POLICY))).toEqual([]);
  });

  it('leaves the object alone when classification failed', () => {
    const s = service({ annotations: { [EXPORT_TO]: '.', [MANAGED]: '.', 'prescient.io/exposed-to': 'Bad!' } });
    expect(createJsonPatch(s, applyClassification(s, classify(s), POLICY))).toEqual([]);
  });

  it("removes its own value when the Service no longer needs narrowing", () => {
    const s = service({ labels: { 'prescient.io/platform-service': 'true' }, annotations: { [EXPORT_TO]: '.', [MANAGED]: '.', keep: 'me' } });
    expect(applyClassification(s, classify(s), POLICY).metadata.annotations).toEqual({ keep: 'me' });
  });

  it('removes a stale marker left without an exportTo', () => {
    const s = service({ namespace: 'kube-system', annotations: { [MANAGED]: '.' } });
    expect(applyClassification(s, classify(s), POLICY).metadata.annotations).toEqual({});
  });

  it('changes nothing for an untouched Service without annotations', () => {
    const s = service({ name: 'kubernetes', namespace: 'default' });
    expect(createJsonPatch(s, applyClassification(s, classify(s), POLICY))).toEqual([]);
  });
});

it('fixture namespaces cover every kind the specs rely on', () => {
  expect(Object.keys(NAMESPACE_LABELS)).toEqual(expect.arrayContaining(['default', 'prescient-system', 'team-a', 'team-nomesh', 'team-ambient']));
});
