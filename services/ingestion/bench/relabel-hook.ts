/**
 * HOOK: the relabel step of measurement (2). The relabel engine (src/domain/relabel) is being built
 * alongside this benchmark, so it is loaded at run time: when `compileRelabelConfigs` is there and
 * compiles the rules below, (2) applies them to every decoded series; when it is missing or its shape
 * changed, (2) runs without relabelling and the report says so (status + detail), never silently.
 */
import { join } from 'node:path';
import type { Label } from '../src/domain/remote-write';

/**
 * A typical 5-rule write_relabel_configs / metric_relabel_configs set for kubelet/cAdvisor data:
 * two drops of noisy families (kube-prometheus' cAdvisor defaults), a cluster label, a labeldrop of
 * scrape-plumbing labels and a keep of the families we use. Every series of both fleets survives,
 * so every series pays for all five rules.
 */
export const TYPICAL_RELABEL_RULES = [
  {
    source_labels: ['__name__'],
    regex: 'container_(network_tcp_usage_total|network_udp_usage_total|tasks_state|cpu_load_average_10s)',
    action: 'drop',
  },
  {
    source_labels: ['__name__', 'pod', 'namespace'],
    regex: '(container_spec_.*|container_file_descriptors|container_sockets|container_threads_max|container_threads|container_start_time_seconds|container_last_seen);;',
    action: 'drop',
  },
  { target_label: 'cluster', replacement: 'eu-west-1-prod', action: 'replace' },
  { regex: 'endpoint|metrics_path|prometheus_replica', action: 'labeldrop' },
  { source_labels: ['__name__'], regex: 'container_.*|namespace_workload:.*|kube_.*|node_.*', action: 'keep' },
] as const;

export interface RelabelHook {
  readonly status: 'applied' | 'missing' | 'incompatible';
  readonly detail: string;
  /** Relabels one series' labels: the new labels, or null when dropped. Present only when applied. */
  readonly apply?: (labels: readonly Label[]) => readonly Label[] | null;
}

const MODULE = join(__dirname, '..', 'src', 'domain', 'relabel', 'compile-relabel');

export function loadRelabelHook(): RelabelHook {
  let compile: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    compile = (require(MODULE) as { compileRelabelConfigs?: unknown }).compileRelabelConfigs;
  } catch (error) {
    return { status: 'missing', detail: `relabel engine not loadable (${firstLine(error)}): (2) runs WITHOUT relabelling` };
  }
  if (typeof compile !== 'function') {
    return { status: 'missing', detail: 'compileRelabelConfigs is not exported yet: (2) runs WITHOUT relabelling' };
  }
  try {
    const compiled = (compile as (rules: unknown, options?: unknown) => unknown)(TYPICAL_RELABEL_RULES, {});
    const apply = (compiled as { apply?: unknown }).apply;
    if (typeof apply !== 'function') throw new Error('compileRelabelConfigs(...) has no apply(labels) method');
    const probe = Object.freeze([
      { name: '__name__', value: 'container_memory_rss' },
      { name: 'endpoint', value: 'https-metrics' },
      { name: 'namespace', value: 'shop' },
    ]);
    const bound = (labels: readonly Label[]): readonly Label[] | null => (apply as (l: readonly Label[]) => readonly Label[] | null).call(compiled, labels);
    const result = bound(probe);
    const ok = Array.isArray(result) && result.some((l: Label) => l.name === 'cluster') && !result.some((l: Label) => l.name === 'endpoint');
    if (!ok) throw new Error(`apply() answered ${JSON.stringify(result)} for a probe series`);
    return { status: 'applied', detail: `compileRelabelConfigs(${TYPICAL_RELABEL_RULES.length} rules).apply() on every decoded series`, apply: bound };
  } catch (error) {
    return { status: 'incompatible', detail: `relabel engine present but not usable by this hook (${firstLine(error)}): (2) runs WITHOUT relabelling` };
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 200);
}
