import { createMeshPolicy, DEFAULT_CONVENTIONS, findOwner, isTenantNamespace, MeshPolicyError, type MeshPolicyInput, ownerGroup } from './mesh-policy';

describe('createMeshPolicy', () => {
  it('fills the defaults', () => {
    const policy = createMeshPolicy({ platformNamespace: 'prescient-system' });
    expect(policy).toEqual({
      platformNamespace: 'prescient-system',
      ingressGatewayNamespaces: ['istio-system'],
      knativeServingNamespace: 'knative-serving',
      istioNamespace: 'istio-system',
      clusterDomain: 'cluster.local',
      tenants: { kind: 'label', label: 'prescient.io/tenant' },
      sidecarlessNamespaces: [],
      conventions: DEFAULT_CONVENTIONS,
    });
  });

  it('merges convention overrides', () => {
    const policy = createMeshPolicy({ platformNamespace: 'p', conventions: { exposedToAnnotation: 'example.com/exposed-to' } });
    expect(policy.conventions.exposedToAnnotation).toBe('example.com/exposed-to');
    expect(policy.conventions.workloadClassLabel).toBe(DEFAULT_CONVENTIONS.workloadClassLabel);
  });

  it.each<[string, MeshPolicyInput]>([
    ['platformNamespace', { platformNamespace: 'Prescient' }],
    ['ingressGatewayNamespaces', { platformNamespace: 'p', ingressGatewayNamespaces: [] }],
    ['ingressGatewayNamespaces[1]', { platformNamespace: 'p', ingressGatewayNamespaces: ['istio-system', 'a/b'] }],
    ['knativeServingNamespace', { platformNamespace: 'p', knativeServingNamespace: '' }],
    ['clusterDomain', { platformNamespace: 'p', clusterDomain: 'cluster..local' }],
    ['tenants.label', { platformNamespace: 'p', tenants: { kind: 'label', label: 'has space' } }],
    ['tenants.namespaces', { platformNamespace: 'p', tenants: { kind: 'list', namespaces: ['a', 'p'] } }],
    ['tenants.kind', { platformNamespace: 'p', tenants: { kind: 'regex' } as never }],
    ['conventions.exposedToAnnotation', { platformNamespace: 'p', conventions: { exposedToAnnotation: '' } }],
    ['conventions.trainingLabels[0]', { platformNamespace: 'p', conventions: { trainingLabels: ['bad key!'] } }],
    ['conventions.trainingOwnerKinds[0]', { platformNamespace: 'p', conventions: { trainingOwnerKinds: [{ group: 'x' } as never] } }],
  ])('names the bad key %s', (key, input) => {
    expect(() => createMeshPolicy(input)).toThrow(MeshPolicyError);
    expect(() => createMeshPolicy(input)).toThrow(`mesh policy: ${key} `);
  });
});

describe('isTenantNamespace', () => {
  const byLabel = createMeshPolicy({ platformNamespace: 'p' });
  const byValue = createMeshPolicy({ platformNamespace: 'p', tenants: { kind: 'label', label: 'tier', value: 'tenant' } });
  const byList = createMeshPolicy({ platformNamespace: 'p', tenants: { kind: 'list', namespaces: ['a'] } });

  it.each([
    ['label present', byLabel, 'a', { 'prescient.io/tenant': '' }, true],
    ['label absent', byLabel, 'a', {}, false],
    ['labels unknown', byLabel, 'a', undefined, undefined],
    ['platform namespace never', byLabel, 'p', { 'prescient.io/tenant': 'x' }, false],
    ['label value matches', byValue, 'a', { tier: 'tenant' }, true],
    ['label value differs', byValue, 'a', { tier: 'system' }, false],
    ['listed', byList, 'a', undefined, true],
    ['not listed', byList, 'b', undefined, false],
  ] as const)('%s', (_name, policy, namespace, labels, expected) => {
    expect(isTenantNamespace(policy, namespace, labels)).toBe(expected);
  });
});

describe('owner matching', () => {
  it.each([
    ['kubeflow.org/v1', 'kubeflow.org'],
    ['v1', ''],
    ['networking.internal.knative.dev/v1alpha1', 'networking.internal.knative.dev'],
  ])('ownerGroup(%j) = %j', (apiVersion, group) => {
    expect(ownerGroup({ apiVersion })).toBe(group);
  });

  it('matches kind and group', () => {
    const owners = [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j' }, { apiVersion: 'batch.volcano.sh/v1alpha1', kind: 'Job', name: 'v' }];
    expect(findOwner(owners, DEFAULT_CONVENTIONS.trainingOwnerKinds)?.name).toBe('v');
    expect(findOwner(owners.slice(0, 1), DEFAULT_CONVENTIONS.trainingOwnerKinds)).toBeUndefined();
  });
});
