import { EntityRef } from '@prescient/contracts';
import { EntityMapping } from './map-matrix';

/**
 * A configured query names where label matchers go with `$selector`, e.g.
 * `sum by (namespace, workload, workload_type) (namespace_workload:container_cpu_usage_seconds_total:sum_rate{$selector})`.
 * The all-series run leaves it empty (`x{}` is valid PromQL: the name is a non-empty matcher, and a
 * trailing comma in a matcher list is allowed too); the run for one workload puts that workload's
 * matchers there.
 */
export const SELECTOR_PLACEHOLDER = '$selector';

/** A PromQL double-quoted string literal. */
export function promqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `value` as an RE2 literal (for `=~`). */
export function re2Literal(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * Matchers selecting one workload's series. The kind is matched case-insensitively: the entity says
 * `Deployment`, kube-prometheus' `workload_type` says `deployment`.
 */
export function workloadMatchers(mapping: Extract<EntityMapping, { kind: 'workload' }>, entity: EntityRef): string {
  return [
    `${mapping.namespaceLabel}=${promqlString(entity.namespace)}`,
    `${mapping.workloadLabel}=${promqlString(entity.name)}`,
    `${mapping.workloadKindLabel}=~${promqlString(`(?i)${re2Literal(entity.workloadKind)}`)}`,
  ].join(',');
}

export function expandQuery(template: string, matchers: string): string {
  return template.split(SELECTOR_PLACEHOLDER).join(matchers);
}
