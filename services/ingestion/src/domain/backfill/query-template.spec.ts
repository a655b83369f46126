import { EntityKind } from '@prescient/contracts';
import { DEFAULT_ENTITY_MAPPINGS } from './map-matrix';
import { expandQuery, promqlString, re2Literal, workloadMatchers } from './query-template';

describe('query templates', () => {
  const entity = { tenant: 't', kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: 'c', namespace: 'shop', workloadKind: 'Deployment', name: 'api"x\\' };
  it('puts nothing for the all-series run and one workload\'s matchers for its own run', () => {
    const template = 'namespace_workload:container_cpu_usage_seconds_total:sum_rate{$selector}';
    expect(expandQuery(template, '')).toBe('namespace_workload:container_cpu_usage_seconds_total:sum_rate{}');
    expect(expandQuery(template, workloadMatchers(DEFAULT_ENTITY_MAPPINGS.workload, entity))).toBe(
      'namespace_workload:container_cpu_usage_seconds_total:sum_rate{namespace="shop",workload="api\\"x\\\\",workload_type=~"(?i)Deployment"}',
    );
  });

  it('escapes PromQL strings and RE2 metacharacters', () => {
    expect(promqlString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(re2Literal('a.b*(c)|[d]{1}^$+?\\')).toBe('a\\.b\\*\\(c\\)\\|\\[d\\]\\{1\\}\\^\\$\\+\\?\\\\');
  });
});
