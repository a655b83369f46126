import { POLICY } from './__fixtures__/mesh-fixtures';
import { createMeshPolicy } from './mesh-policy';
import { baselineEgressHosts, buildTenantSidecar, serviceHost, SidecarHostError, sidecarHostProblem } from './sidecar';

const BASELINE = ['./*', 'istio-system/*', 'prescient-system/*', 'default/kubernetes.default.svc.cluster.local'];

describe('buildTenantSidecar', () => {
  it('lists the baseline for a tenant that declares nothing', () => {
    expect(buildTenantSidecar('team-a', POLICY)).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Sidecar',
      metadata: { name: 'default', namespace: 'team-a', labels: { 'app.kubernetes.io/managed-by': 'mesh-webhook' } },
      spec: { egress: [{ hosts: BASELINE }] },
    });
    expect(baselineEgressHosts(POLICY)).toEqual(BASELINE);
  });

  it.each<[string, { declaredHosts?: string[]; exposedByOtherTenants?: string[] }, string[]]>([
    ['declared and exposed hosts, sorted after the baseline', { declaredHosts: ['team-c/db.team-c.svc.cluster.local', 'ext/api.example.com'], exposedByOtherTenants: ['team-b/features.team-b.svc.cluster.local'] }, [...BASELINE, 'ext/api.example.com', 'team-b/features.team-b.svc.cluster.local', 'team-c/db.team-c.svc.cluster.local']],
    ['duplicates across both lists collapse', { declaredHosts: ['team-b/x.team-b.svc.cluster.local'], exposedByOtherTenants: ['team-b/x.team-b.svc.cluster.local', 'team-b/x.team-b.svc.cluster.local'] }, [...BASELINE, 'team-b/x.team-b.svc.cluster.local']],
    ['hosts covered by a baseline wildcard are dropped', { declaredHosts: ['istio-system/istiod.istio-system.svc.cluster.local', 'prescient-system/recommendation.prescient-system.svc.cluster.local', './local.team-a.svc.cluster.local'] }, BASELINE],
    ['own namespace written as "." and covered by ./*', { declaredHosts: ['team-a/anything.team-a.svc.cluster.local'] }, BASELINE],
    ['baseline entries repeated are not listed twice', { declaredHosts: ['istio-system/*', 'default/kubernetes.default.svc.cluster.local'] }, BASELINE],
    ['a namespace wildcard covers its specific hosts', { declaredHosts: ['team-b/a.team-b.svc.cluster.local', 'team-b/*'] }, [...BASELINE, 'team-b/*']],
    ['*/* covers every other extra', { declaredHosts: ['team-b/a.team-b.svc.cluster.local', 'team-c/*', '*/*'] }, [...BASELINE, '*/*']],
    ['wildcard DNS names are kept', { declaredHosts: ['*/*.googleapis.com'] }, [...BASELINE, '*/*.googleapis.com']],
  ])('%s', (_name, hosts, expected) => {
    expect(buildTenantSidecar('team-a', POLICY, hosts).spec.egress[0].hosts).toEqual(expected);
  });

  it('is deterministic whatever the input order', () => {
    const hosts = ['team-c/c.team-c.svc.cluster.local', 'team-b/b.team-b.svc.cluster.local', 'zeta/z.example.com', 'alpha/a.example.com'];
    const a = buildTenantSidecar('team-a', POLICY, { declaredHosts: hosts });
    const b = buildTenantSidecar('team-a', POLICY, { exposedByOtherTenants: [...hosts].reverse() });
    expect(a).toEqual(b);
  });

  it('follows the policy namespaces and cluster domain', () => {
    const policy = createMeshPolicy({ platformNamespace: 'platform', istioNamespace: 'istio', clusterDomain: 'corp.internal' });
    expect(buildTenantSidecar('t', policy).spec.egress[0].hosts).toEqual(['./*', 'istio/*', 'platform/*', 'default/kubernetes.default.svc.corp.internal']);
  });

  it('rejects invalid hosts, all of them at once', () => {
    const run = () => buildTenantSidecar('team-a', POLICY, { declaredHosts: ['nohost', 'Team_B/x.svc', 'ok/x.example.com'], exposedByOtherTenants: ['team-b/bad..name'] });
    expect(run).toThrow(SidecarHostError);
    try {
      run();
    } catch (err) {
      expect((err as SidecarHostError).problems.map((p) => p.host)).toEqual(['nohost', 'Team_B/x.svc', 'team-b/bad..name']);
    }
  });

  it('rejects an invalid namespace', () => {
    expect(() => buildTenantSidecar('Team A', POLICY)).toThrow(/not a namespace name/);
  });
});

describe('sidecarHostProblem', () => {
  it.each([
    ['./*', undefined],
    ['*/*', undefined],
    ['~/*', undefined],
    ['team-b/svc.team-b.svc.cluster.local', undefined],
    ['*/*.example.com', undefined],
    ['team-b', 'expected namespace/dnsName'],
    ['/x.example.com', 'bad namespace ""'],
    ['team-b/', 'bad dnsName ""'],
    ['team-b/UPPER.example.com', 'bad dnsName "UPPER.example.com"'],
    ['team-b/a/b', 'bad dnsName "a/b"'],
    ['team-b/*.*.example.com', 'bad dnsName "*.*.example.com"'],
    [`team-b/${'a'.repeat(64)}.com`, `bad dnsName "${'a'.repeat(64)}.com"`],
  ])('%j → %j', (host, problem) => {
    expect(sidecarHostProblem(host)).toBe(problem);
  });

  it('serviceHost builds the FQDN host', () => {
    expect(serviceHost('team-b', 'features')).toBe('team-b/features.team-b.svc.cluster.local');
    expect(sidecarHostProblem(serviceHost('team-b', 'features'))).toBeUndefined();
  });
});
