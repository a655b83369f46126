import { OwnerIndex, scopeKey } from './owner-index';

const scope = scopeKey('acme', 'prod');
const T = 1_700_000_100_000;

describe('OwnerIndex owner chains', () => {
  // [case, pod owner, ReplicaSet owner, Job owner, expected workload]
  it.each([
    ['Deployment via ReplicaSet', ['ReplicaSet', 'api-7c9d8f6b5'], ['Deployment', 'api'], undefined, { workloadKind: 'Deployment', name: 'api' }],
    ['Argo Rollout via ReplicaSet', ['ReplicaSet', 'web-5d4f9'], ['Rollout', 'web'], undefined, { workloadKind: 'Rollout', name: 'web' }],
    ['a ReplicaSet without owner', ['ReplicaSet', 'legacy-rs'], ['<none>', '<none>'], undefined, { workloadKind: 'ReplicaSet', name: 'legacy-rs' }],
    ['StatefulSet directly', ['StatefulSet', 'postgres'], undefined, undefined, { workloadKind: 'StatefulSet', name: 'postgres' }],
    ['DaemonSet directly', ['DaemonSet', 'fluent-bit'], undefined, undefined, { workloadKind: 'DaemonSet', name: 'fluent-bit' }],
    ['CronJob via Job', ['Job', 'report-28391520'], undefined, ['CronJob', 'report'], { workloadKind: 'CronJob', name: 'report' }],
    ['a Job without CronJob', ['Job', 'migrate-v42'], undefined, ['<none>', '<none>'], { workloadKind: 'Job', name: 'migrate-v42' }],
    ['a bare pod (owner <none>)', ['<none>', '<none>'], undefined, undefined, { workloadKind: 'Pod', name: 'the-pod' }],
    ['a static (mirror) pod owned by its Node', ['Node', 'ip-10-0-1-12'], undefined, undefined, { workloadKind: 'Pod', name: 'the-pod' }],
  ] as const)('%s', (_, podOwner, rsOwner, jobOwner, expected) => {
    const idx = new OwnerIndex({ maxEntries: 100, ttlMs: 900_000 });
    idx.podOwner(scope, 'ns', 'the-pod', podOwner[0], podOwner[1], podOwner[0] !== '<none>', T);
    if (rsOwner) idx.replicaSetOwner(scope, 'ns', podOwner[1], rsOwner[0], rsOwner[1], T);
    if (jobOwner) idx.jobOwner(scope, 'ns', podOwner[1], jobOwner[0], jobOwner[1], T);
    expect(idx.resolvePod(scope, 'ns', 'the-pod', T)).toEqual(expected);
  });

  it('waits while the ReplicaSet (or Job) of a pod is not known yet', () => {
    const idx = new OwnerIndex({ maxEntries: 100, ttlMs: 900_000 });
    idx.podOwner(scope, 'ns', 'api-1', 'ReplicaSet', 'api-7c9d8f6b5', true, T);
    idx.podOwner(scope, 'ns', 'report-1', 'Job', 'report-28391520', true, T);
    expect(idx.resolvePod(scope, 'ns', 'api-1', T)).toBeUndefined();
    expect(idx.resolvePod(scope, 'ns', 'report-1', T)).toBeUndefined();
    expect(idx.resolvePod(scope, 'ns', 'never-seen', T)).toBeUndefined();
  });

  it("falls back to kube_pod_info's created_by_* when kube_pod_owner is not collected", () => {
    const idx = new OwnerIndex({ maxEntries: 100, ttlMs: 900_000 });
    idx.podInfo(scope, 'data', 'postgres-0', { node: 'n1', hostIp: '10.0.1.12', createdByKind: 'StatefulSet', createdByName: 'postgres' }, T);
    expect(idx.resolvePod(scope, 'data', 'postgres-0', T)).toEqual({ workloadKind: 'StatefulSet', name: 'postgres' });
    idx.podInfo(scope, 'data', 'debug', { node: 'n1', createdByKind: '<none>', createdByName: '<none>' }, T);
    expect(idx.resolvePod(scope, 'data', 'debug', T)).toEqual({ workloadKind: 'Pod', name: 'debug' });
  });

  it('prefers the controller among several owners', () => {
    const idx = new OwnerIndex({ maxEntries: 100, ttlMs: 900_000 });
    idx.podOwner(scope, 'ns', 'p', 'StatefulSet', 'db', true, T);
    idx.podOwner(scope, 'ns', 'p', 'ConfigMap', 'not-a-controller', false, T);
    expect(idx.resolvePod(scope, 'ns', 'p', T)).toEqual({ workloadKind: 'StatefulSet', name: 'db' });
  });

  it('keeps tenants and clusters apart', () => {
    const idx = new OwnerIndex({ maxEntries: 100, ttlMs: 900_000 });
    idx.podOwner(scope, 'ns', 'p', 'DaemonSet', 'agent', true, T);
    expect(idx.resolvePod(scopeKey('other', 'prod'), 'ns', 'p', T)).toBeUndefined();
    expect(idx.resolvePod(scopeKey('acme', 'staging'), 'ns', 'p', T)).toBeUndefined();
  });

  it('forgets an entry not refreshed within the TTL (sample time)', () => {
    const idx = new OwnerIndex({ maxEntries: 100, ttlMs: 60_000 });
    idx.podOwner(scope, 'ns', 'p', 'DaemonSet', 'agent', true, T);
    expect(idx.resolvePod(scope, 'ns', 'p', T + 60_000)).toBeDefined();
    expect(idx.resolvePod(scope, 'ns', 'p', T + 60_001)).toBeUndefined();
    idx.podOwner(scope, 'ns', 'q', 'DaemonSet', 'agent', true, T);
    idx.expire(T + 120_000);
    expect(idx.size.pods).toBe(0);
  });

  it('evicts the least recently seen pod beyond its capacity', () => {
    const idx = new OwnerIndex({ maxEntries: 2, ttlMs: 900_000 });
    idx.podOwner(scope, 'ns', 'a', 'DaemonSet', 'x', true, T);
    idx.podOwner(scope, 'ns', 'b', 'DaemonSet', 'x', true, T);
    idx.podOwner(scope, 'ns', 'a', 'DaemonSet', 'x', true, T + 1); // refreshes a
    idx.podOwner(scope, 'ns', 'c', 'DaemonSet', 'x', true, T + 2);
    expect(idx.size.pods).toBe(2);
    expect(idx.resolvePod(scope, 'ns', 'b', T)).toBeUndefined();
    expect(idx.resolvePod(scope, 'ns', 'a', T)).toBeDefined();
  });

  it('resolves hosts by node name, node InternalIP and pod host IP', () => {
    const idx = new OwnerIndex({ maxEntries: 100, ttlMs: 900_000 });
    idx.node(scope, 'ip-10-0-1-12.eu-west-1.compute.internal', T);
    idx.nodeIp(scope, '10.0.1.12', 'ip-10-0-1-12.eu-west-1.compute.internal', T);
    idx.podInfo(scope, 'ns', 'p', { node: 'n2', hostIp: '10.0.2.33' }, T);
    expect(idx.resolveHost(scope, 'ip-10-0-1-12.eu-west-1.compute.internal', T)).toBe('ip-10-0-1-12.eu-west-1.compute.internal');
    expect(idx.resolveHost(scope, '10.0.1.12', T)).toBe('ip-10-0-1-12.eu-west-1.compute.internal');
    expect(idx.resolveHost(scope, '10.0.2.33', T)).toBe('n2');
    expect(idx.resolveHost(scope, '10.9.9.9', T)).toBeUndefined();
  });

  it('tracks whether a container last terminated OOMKilled (old and new kube-state-metrics)', () => {
    const idx = new OwnerIndex({ maxEntries: 100, ttlMs: 900_000 });
    // kube-state-metrics < 2.0 emits every reason with 0/1.
    idx.lastTerminatedReason(scope, 'ns', 'p', 'app', 'Error', 0, T);
    idx.lastTerminatedReason(scope, 'ns', 'p', 'app', 'OOMKilled', 1, T);
    expect(idx.isLastTerminationOom(scope, 'ns', 'p', 'app', T)).toBe(true);
    idx.lastTerminatedReason(scope, 'ns', 'p', 'app', 'Error', 1, T + 30_000);
    expect(idx.isLastTerminationOom(scope, 'ns', 'p', 'app', T)).toBe(false);
    expect(idx.isLastTerminationOom(scope, 'ns', 'p', 'sidecar', T)).toBe(false);
  });
});
