// The per-tenant-namespace `default` Sidecar: egress only to what the tenant's workloads call, so
// each proxy receives config for those hosts instead of the whole mesh.
import { isDnsName, isNamespaceName, type MeshPolicy } from './mesh-policy';
import type { Sidecar } from './types';

export interface TenantSidecarHosts {
  /** Hosts the tenant declares it calls, `namespace/dnsName`. */
  declaredHosts?: readonly string[];
  /** Hosts other tenants expose to this namespace (their Services' exposed-to), `namespace/dnsName`. */
  exposedByOtherTenants?: readonly string[];
}

/** Thrown by `buildTenantSidecar` with every bad host, so the reconciler can report them all at once. */
export class SidecarHostError extends Error {
  constructor(readonly problems: readonly { host: string; problem: string }[]) {
    super(`invalid Sidecar egress hosts: ${problems.map((p) => `${JSON.stringify(p.host)} (${p.problem})`).join('; ')}`);
    this.name = 'SidecarHostError';
  }
}

/** The `namespace/dnsName` egress host of a Kubernetes Service. */
export function serviceHost(namespace: string, name: string, clusterDomain = 'cluster.local'): string {
  return `${namespace}/${name}.${namespace}.svc.${clusterDomain}`;
}

/**
 * Why `host` is not a valid Sidecar egress host, or undefined when it is. Istio's format:
 * `namespace/dnsName`, namespace `.`, `*`, `~` or a namespace name; dnsName `*`, a DNS name, or one
 * with a leading `*.` wildcard.
 */
export function sidecarHostProblem(host: string): string | undefined {
  const slash = host.indexOf('/');
  if (slash < 0) return 'expected namespace/dnsName';
  const namespace = host.slice(0, slash);
  const dnsName = host.slice(slash + 1);
  if (!['.', '*', '~'].includes(namespace) && !isNamespaceName(namespace)) return `bad namespace ${JSON.stringify(namespace)}`;
  if (dnsName === '*') return undefined;
  const name = dnsName.startsWith('*.') ? dnsName.slice(2) : dnsName;
  if (!isDnsName(name)) return `bad dnsName ${JSON.stringify(dnsName)}`;
  return undefined;
}

/** The hosts every tenant Sidecar lists: its own namespace, Istio's, the platform's and the API server. */
export function baselineEgressHosts(policy: MeshPolicy): string[] {
  return ['./*', `${policy.istioNamespace}/*`, `${policy.platformNamespace}/*`, serviceHost('default', 'kubernetes', policy.clusterDomain)];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The tenant namespace's `default` Sidecar. Hosts: the baseline in a fixed order, then the declared
 * and exposed hosts sorted, without duplicates or hosts a `namespace/*` entry already covers (the
 * Sidecar's own namespace written as `.`). Throws SidecarHostError on any invalid host, and
 * Error on an invalid namespace.
 */
export function buildTenantSidecar(namespace: string, policy: MeshPolicy, hosts: TenantSidecarHosts = {}): Sidecar {
  if (!isNamespaceName(namespace)) throw new Error(`buildTenantSidecar: ${JSON.stringify(namespace)} is not a namespace name`);
  const extras = [...(hosts.declaredHosts ?? []), ...(hosts.exposedByOtherTenants ?? [])];
  const problems = extras.flatMap((host) => {
    const problem = sidecarHostProblem(host);
    return problem === undefined ? [] : [{ host, problem }];
  });
  if (problems.length > 0) throw new SidecarHostError(problems);

  // The Sidecar's own namespace is written `.`, as in the baseline's `./*`.
  const local = (host: string): string => (host.startsWith(`${namespace}/`) ? `.${host.slice(namespace.length)}` : host);
  const namespaceOf = (host: string): string => host.slice(0, host.indexOf('/'));
  const baseline = [...new Set(baselineEgressHosts(policy).map(local))];
  const normalized = [...new Set(extras.map(local))];
  const wildcards = new Set([...baseline, ...normalized].filter((h) => h.endsWith('/*')).map(namespaceOf));
  const covered = (host: string): boolean =>
    host !== '*/*' && (wildcards.has('*') || (!host.endsWith('/*') && wildcards.has(namespaceOf(host))));
  const additional = normalized.filter((h) => !baseline.includes(h) && !covered(h)).sort(compare);

  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'Sidecar',
    metadata: { name: 'default', namespace, labels: { 'app.kubernetes.io/managed-by': 'mesh-webhook' } },
    spec: { egress: [{ hosts: [...baseline, ...additional] }] },
  };
}
