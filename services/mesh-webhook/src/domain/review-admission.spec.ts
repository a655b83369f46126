import { decodePatch, LOOKUPS, owner, POLICY, review, service } from './__fixtures__/mesh-fixtures';
import { applyJsonPatch, type JsonPatchOperation } from './json-patch';
import { type MeshLookups, reviewAdmission, type ReviewRule } from './review-admission';
import type { Service } from './types';

const UID = '705ab4f5-6393-11e8-b7cc-42010a800002';
const EXPORT_TO = 'networking.istio.io/exportTo';
const MANAGED = 'prescient.io/export-to-managed';

function deepJunk(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = { junk: [value] };
  return value;
}

function withRequest(patch: Record<string, unknown>, base: Record<string, unknown> = review(service())): Record<string, unknown> {
  return { ...base, request: { ...(base.request as Record<string, unknown>), ...patch } };
}

interface ErrorCase {
  name: string;
  input: () => unknown;
  rule: ReviewRule;
  reason: RegExp;
  uid?: string;
  lookups?: MeshLookups;
}

const errorCases: ErrorCase[] = [
  { name: 'not an object: null', input: () => null, rule: 'malformed-review', reason: /the review is null/, uid: '' },
  { name: 'not an object: string', input: () => 'AdmissionReview', rule: 'malformed-review', reason: /the review is "AdmissionReview"/, uid: '' },
  { name: 'not an object: array', input: () => [review(service())], rule: 'malformed-review', reason: /the review is an array/, uid: '' },
  { name: 'not an object: undefined', input: () => undefined, rule: 'malformed-review', reason: /the review is missing/, uid: '' },
  { name: 'wrong apiVersion (v1beta1)', input: () => ({ ...review(service()), apiVersion: 'admission.k8s.io/v1beta1' }), rule: 'malformed-review', reason: /apiVersion is "admission.k8s.io\/v1beta1", expected "admission.k8s.io\/v1"/ },
  { name: 'wrong kind', input: () => ({ ...review(service()), kind: 'TokenReview' }), rule: 'malformed-review', reason: /kind is "TokenReview"/ },
  { name: 'missing request', input: () => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }), rule: 'malformed-review', reason: /request is missing/, uid: '' },
  { name: 'missing uid', input: () => withRequest({ uid: undefined }), rule: 'malformed-review', reason: /request.uid is missing/, uid: '' },
  { name: 'uid not a string', input: () => withRequest({ uid: 42 }), rule: 'malformed-review', reason: /request.uid is number 42/, uid: '' },
  { name: 'empty uid', input: () => withRequest({ uid: '' }), rule: 'malformed-review', reason: /request.uid is ""/, uid: '' },
  { name: 'request.kind missing', input: () => withRequest({ kind: undefined }), rule: 'malformed-review', reason: /request.kind is missing/ },
  { name: 'request.kind is a Deployment', input: () => withRequest({ kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }), rule: 'unsupported-kind', reason: /group "apps" version "v1" kind "Deployment", expected core v1 Service/ },
  { name: 'request.kind is a Service of another group', input: () => withRequest({ kind: { group: 'serving.knative.dev', version: 'v1', kind: 'Service' } }), rule: 'unsupported-kind', reason: /serving.knative.dev/ },
  { name: 'unknown operation', input: () => withRequest({ operation: 'PATCH' }), rule: 'malformed-review', reason: /request.operation is "PATCH"/ },
  { name: 'object null on CREATE', input: () => withRequest({ object: null }), rule: 'malformed-object', reason: /request.object is null/ },
  { name: 'object is an array', input: () => withRequest({ object: [service()] }), rule: 'malformed-object', reason: /request.object is an array/ },
  { name: 'object is a ConfigMap', input: () => withRequest({ object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} } }), rule: 'malformed-object', reason: /kind "ConfigMap", expected v1 Service/ },
  { name: 'object without metadata', input: () => withRequest({ object: { apiVersion: 'v1', kind: 'Service', spec: {} } }), rule: 'malformed-object', reason: /metadata is missing/ },
  { name: 'annotation value not a string', input: () => withRequest({ object: { ...service(), metadata: { name: 's', annotations: { a: 1 } } } }), rule: 'malformed-object', reason: /metadata.annotations\["a"\] is number 1/ },
  { name: 'labels an array', input: () => withRequest({ object: { ...service(), metadata: { name: 's', labels: ['x'] } } }), rule: 'malformed-object', reason: /metadata.labels is an array/ },
  { name: 'owner reference without kind', input: () => withRequest({ object: { ...service(), metadata: { name: 's', ownerReferences: [{ apiVersion: 'v1', name: 'x' }] } } }), rule: 'malformed-object', reason: /ownerReferences\[0\]/ },
  { name: 'spec not an object', input: () => withRequest({ object: { ...service(), spec: 'None' } }), rule: 'malformed-object', reason: /spec is "None"/ },
  { name: 'clusterIP not a string', input: () => withRequest({ object: { ...service(), spec: { clusterIP: null } } }), rule: 'malformed-object', reason: /clusterIP is null/ },
  { name: 'huge nested junk in spec', input: () => withRequest({ object: { ...service(), spec: { clusterIP: 'None', junk: deepJunk(5_000) } } }), rule: 'malformed-object', reason: /nests deeper than 100 levels at \/spec\/junk\/junk\/0\/junk/ },
  { name: 'no namespace anywhere', input: () => withRequest({ namespace: '', object: { ...service(), metadata: { name: 's' } } }), rule: 'malformed-review', reason: /neither request.namespace nor/ },
  { name: 'invalid exposed-to convention', input: () => review(service({ annotations: { 'prescient.io/exposed-to': 'team-b,NOPE' } })), rule: 'invalid-convention', reason: /"NOPE"/ },
  { name: 'namespace labels unknown', input: () => review(service({ namespace: 'team-new' })), rule: 'namespace-unknown', reason: /labels of namespace team-new are unknown/ },
  { name: 'no namespace lookup configured', input: () => review(service()), lookups: {}, rule: 'namespace-unknown', reason: /team-a/ },
  {
    name: 'a lookup that throws',
    input: () => review(service()),
    lookups: { namespaceLabels: () => { throw new Error('informer not synced'); } },
    rule: 'internal-error',
    reason: /internal error: Error: informer not synced/,
  },
];

describe('reviewAdmission: every error allows the object unchanged', () => {
  it.each(errorCases)('$name', ({ input, rule, reason, uid, lookups }) => {
    const result = reviewAdmission(input(), POLICY, lookups ?? LOOKUPS);
    expect(result.outcome).toBe('error');
    expect(result.rule).toBe(rule);
    expect(result.reason).toMatch(reason);
    expect(result.review.apiVersion).toBe('admission.k8s.io/v1');
    expect(result.review.kind).toBe('AdmissionReview');
    const response = result.review.response!;
    expect(response.uid).toBe(uid ?? UID);
    expect(response.allowed).toBe(true);
    expect(response.patch).toBeUndefined();
    expect(response.patchType).toBeUndefined();
    expect(response.warnings).toHaveLength(1);
    expect(response.warnings![0]).toMatch(/^mesh-webhook: /);
    expect(response.warnings![0].length).toBeLessThanOrEqual(256);
    expect(result.patch).toBeUndefined();
  });

  it('never throws on assorted junk', () => {
    const junk: unknown[] = [0, -1, NaN, true, '', '{}', {}, [], { apiVersion: 'admission.k8s.io/v1' }, { request: 5 }, deepJunk(20_000),
      { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u', kind: 'Service' } },
      { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: deepJunk(20_000) },
      withRequest({ object: { metadata: deepJunk(20_000) } }),
      withRequest({ object: { ...service(), metadata: { ...service().metadata, labels: Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i])) } } }),
    ];
    for (const input of junk) {
      const result = reviewAdmission(input, POLICY, LOOKUPS);
      expect(result.review.response?.allowed).toBe(true);
      expect(result.outcome).toBe('error');
    }
  });

  it('survives an object whose getters throw', () => {
    const hostile = { get apiVersion(): string { throw new Error('boom'); } };
    const result = reviewAdmission(hostile, POLICY, LOOKUPS);
    expect(result).toMatchObject({ outcome: 'error', rule: 'internal-error', review: { response: { allowed: true, uid: '' } } });
  });

  it('keeps warnings one printable line', () => {
    const input = withRequest({ kind: { group: 'a\nb\u0007', version: 'v1', kind: 'x'.repeat(10_000) } });
    const warning = reviewAdmission(input, POLICY, LOOKUPS).review.response!.warnings![0];
    expect(warning).not.toMatch(/[\u0000-\u001f]/);
    expect(warning.length).toBeLessThanOrEqual(256);
  });
});

interface OkCase {
  name: string;
  input: () => unknown;
  outcome: 'patched' | 'unchanged';
  rule: ReviewRule;
  ops?: JsonPatchOperation[];
}

const ownedDot = { [EXPORT_TO]: '.', [MANAGED]: '.' };

const okCases: OkCase[] = [
  {
    name: 'CREATE without annotations adds the whole map',
    input: () => review(service()),
    outcome: 'patched',
    rule: 'tenant-internal',
    ops: [{ op: 'add', path: '/metadata/annotations', value: ownedDot }],
  },
  {
    name: 'CREATE with annotations adds escaped keys',
    input: () => review(service({ annotations: { team: 'ml' } })),
    outcome: 'patched',
    rule: 'tenant-internal',
    ops: [
      { op: 'add', path: '/metadata/annotations/networking.istio.io~1exportTo', value: '.' },
      { op: 'add', path: '/metadata/annotations/prescient.io~1export-to-managed', value: '.' },
    ],
  },
  {
    name: 'CREATE headless training with sidecars → "."',
    input: () => review(service({ clusterIP: 'None', ownerReferences: [owner('kubeflow.org/v1', 'PyTorchJob', 'ft')] })),
    outcome: 'patched',
    rule: 'pod-to-pod',
    ops: [{ op: 'add', path: '/metadata/annotations', value: ownedDot }],
  },
  {
    name: 'CREATE headless training without sidecars → "~"',
    input: () => review(service({ clusterIP: 'None', labels: { 'training.kubeflow.org/job-name': 'ft', 'sidecar.istio.io/inject': 'false' } })),
    outcome: 'patched',
    rule: 'pod-to-pod-sidecarless',
    ops: [{ op: 'add', path: '/metadata/annotations', value: { [EXPORT_TO]: '~', [MANAGED]: '~' } }],
  },
  {
    name: 'CREATE KServe → knative-serving and the gateway',
    input: () => review(service({ labels: { 'serving.kserve.io/inferenceservice': 'iris' } })),
    outcome: 'patched',
    rule: 'tenant-reachable',
    ops: [{ op: 'add', path: '/metadata/annotations', value: { [EXPORT_TO]: '.,istio-system,knative-serving', [MANAGED]: '.,istio-system,knative-serving' } }],
  },
  {
    name: 'CREATE with metadata.namespace empty uses request.namespace',
    input: () => {
      const s = service({ clusterIP: 'None', labels: { 'training.kubeflow.org/job-name': 'ft' } });
      s.metadata.namespace = '';
      return review(s, { namespace: 'team-nomesh' });
    },
    outcome: 'patched',
    rule: 'pod-to-pod-sidecarless',
    ops: [{ op: 'add', path: '/metadata/annotations', value: { [EXPORT_TO]: '~', [MANAGED]: '~' } }],
  },
  {
    name: 'CREATE dry run is patched too (no side effects)',
    input: () => review(service(), { dryRun: true }),
    outcome: 'patched',
    rule: 'tenant-internal',
  },
  { name: 'CREATE with a user annotation', input: () => review(service({ annotations: { [EXPORT_TO]: '*' } })), outcome: 'unchanged', rule: 'user-annotation' },
  { name: 'CREATE kubernetes in default', input: () => review(service({ name: 'kubernetes', namespace: 'default' })), outcome: 'unchanged', rule: 'kubernetes-api' },
  { name: 'CREATE in the platform namespace', input: () => review(service({ namespace: 'prescient-system' })), outcome: 'unchanged', rule: 'platform-namespace' },
  { name: 'CREATE outside tenants', input: () => review(service({ namespace: 'kube-system' })), outcome: 'unchanged', rule: 'not-tenant' },
  {
    name: 'UPDATE recomputes the webhook value when labels change',
    input: () => review(service({ labels: { 'prescient.io/routed-from-ingress': 'true' }, annotations: ownedDot }), { operation: 'UPDATE', oldObject: service({ annotations: ownedDot }) }),
    outcome: 'patched',
    rule: 'tenant-reachable',
    ops: [
      { op: 'replace', path: '/metadata/annotations/networking.istio.io~1exportTo', value: '.,istio-system' },
      { op: 'replace', path: '/metadata/annotations/prescient.io~1export-to-managed', value: '.,istio-system' },
    ],
  },
  {
    name: 'UPDATE with the webhook value still right is unchanged',
    input: () => review(service({ annotations: ownedDot }), { operation: 'UPDATE', oldObject: service({ annotations: ownedDot }) }),
    outcome: 'unchanged',
    rule: 'tenant-internal',
  },
  {
    name: 'UPDATE that drops the annotation (full PUT) gets it back',
    input: () => review(service(), { operation: 'UPDATE', oldObject: service({ annotations: ownedDot }) }),
    outcome: 'patched',
    rule: 'tenant-internal',
    ops: [{ op: 'add', path: '/metadata/annotations', value: ownedDot }],
  },
  {
    name: 'UPDATE where the user changed exportTo keeps theirs',
    input: () => review(service({ annotations: { [EXPORT_TO]: 'team-b', [MANAGED]: '.' } }), { operation: 'UPDATE', oldObject: service({ annotations: ownedDot }) }),
    outcome: 'unchanged',
    rule: 'user-annotation',
  },
  {
    name: 'UPDATE to a platform Service removes the webhook value',
    input: () => review(service({ labels: { 'prescient.io/platform-service': 'true' }, annotations: { ...ownedDot, a: 'b' } }), { operation: 'UPDATE' }),
    outcome: 'patched',
    rule: 'platform-service',
    ops: [
      { op: 'remove', path: '/metadata/annotations/networking.istio.io~1exportTo' },
      { op: 'remove', path: '/metadata/annotations/prescient.io~1export-to-managed' },
    ],
  },
  { name: 'DELETE is allowed unchanged', input: () => review(null, { operation: 'DELETE', oldObject: service() }), outcome: 'unchanged', rule: 'operation-ignored' },
  { name: 'CONNECT is allowed unchanged', input: () => review(null, { operation: 'CONNECT' }), outcome: 'unchanged', rule: 'operation-ignored' },
  { name: 'status subresource is allowed unchanged', input: () => withRequest({ subResource: 'status', operation: 'UPDATE' }), outcome: 'unchanged', rule: 'operation-ignored' },
];

describe('reviewAdmission: Services', () => {
  it.each(okCases)('$name', ({ input, outcome, rule, ops }) => {
    const raw = input();
    const result = reviewAdmission(raw, POLICY, LOOKUPS);
    expect({ outcome: result.outcome, rule: result.rule }).toEqual({ outcome, rule });
    const response = result.review.response!;
    expect(response.uid).toBe(UID);
    expect(response.allowed).toBe(true);
    expect(response.warnings).toBeUndefined();
    if (outcome === 'unchanged') {
      expect(response.patch).toBeUndefined();
      expect(response.patchType).toBeUndefined();
      return;
    }
    expect(response.patchType).toBe('JSONPatch');
    const decoded = decodePatch(response.patch) as JsonPatchOperation[];
    expect(decoded).toEqual(result.patch);
    if (ops) expect(decoded).toEqual(ops);
    // The patch applies to the object the API server holds and yields what the classifier meant.
    const object = (raw as { request: { object: Service } }).request.object;
    const patched = applyJsonPatch(object, decoded);
    expect(patched.metadata.annotations?.[MANAGED]).toBe(patched.metadata.annotations?.[EXPORT_TO]);
  });

  it('does not modify the review it was given', () => {
    const raw = review(service());
    const before = JSON.stringify(raw);
    reviewAdmission(raw, POLICY, LOOKUPS);
    expect(JSON.stringify(raw)).toBe(before);
  });

  it('passes the Service to the sidecar lookup', () => {
    const seen: string[] = [];
    const lookups: MeshLookups = {
      ...LOOKUPS,
      podsRunWithoutSidecars: (s, ns) => {
        seen.push(`${ns}/${s.metadata.name}`);
        return true;
      },
    };
    const result = reviewAdmission(review(service({ name: 'ft-worker', clusterIP: 'None', labels: { 'training.kubeflow.org/job-name': 'ft' } })), POLICY, lookups);
    expect(seen).toEqual(['team-a/ft-worker']);
    expect(result.rule).toBe('pod-to-pod-sidecarless');
  });

  it('is deterministic', () => {
    const input = review(service({ annotations: { 'prescient.io/exposed-to': 'team-c,team-b' }, labels: { 'serving.knative.dev/revision': 'r' } }));
    expect(reviewAdmission(input, POLICY, LOOKUPS)).toEqual(reviewAdmission(JSON.parse(JSON.stringify(input)), POLICY, LOOKUPS));
  });
});
