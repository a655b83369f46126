import type { Label } from '../remote-write';
import {
  checkRelabelledLabels,
  compileRelabelConfigs,
  isValidLabelNameTemplate,
  RelabelConfigError,
  type RelabelConfigInput,
} from './index';

/** A label set as Prometheus builds one (labels.FromMap): sorted by name. */
function labels(map: Record<string, string>): Label[] {
  return Object.entries(map)
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function relabel(configs: RelabelConfigInput[], input: Record<string, string>): Record<string, string> | null {
  const out = compileRelabelConfigs(configs).apply(labels(input));
  return out === null ? null : Object.fromEntries(out.map((label) => [label.name, label.value]));
}

function issuesOf(configs: readonly unknown[]): { rule: number; field: string; message: string }[] {
  try {
    compileRelabelConfigs(configs as RelabelConfigInput[]);
  } catch (error) {
    if (error instanceof RelabelConfigError) return error.issues.map((issue) => ({ ...issue }));
    throw error;
  }
  return [];
}

// Ported from Prometheus' model/relabel/relabel_test.go, TestRelabel (commit d15adb9a, Aug 2026).
// Fields the Go cases leave unset are left out here too (the Go harness then applies the defaults).
// The cases that need UTF-8 label names are in the next table: this port validates names with the
// legacy scheme, the one the remote-write decoder enforces.
const PROMETHEUS_CASES: {
  name: string;
  input: Record<string, string>;
  relabel: RelabelConfigInput[];
  output: Record<string, string> | null;
}[] = [
  {
    name: 'replace with a ${1} template',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    relabel: [{ source_labels: ['a'], regex: 'f(.*)', target_label: 'd', separator: ';', replacement: 'ch${1}-ch${1}', action: 'replace' }],
    output: { a: 'foo', b: 'bar', c: 'baz', d: 'choo-choo' },
  },
  {
    name: 'chained replaces read earlier results',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    relabel: [
      { source_labels: ['a', 'b'], regex: 'f(.*);(.*)r', target_label: 'a', separator: ';', replacement: 'b${1}${2}m', action: 'replace' },
      { source_labels: ['c', 'a'], regex: '(b).*b(.*)ba(.*)', target_label: 'd', separator: ';', replacement: '$1$2$2$3', action: 'replace' },
    ],
    output: { a: 'boobam', b: 'bar', c: 'baz', d: 'boooom' },
  },
  {
    name: 'drop stops processing',
    input: { a: 'foo' },
    relabel: [
      { source_labels: ['a'], regex: '.*o.*', action: 'drop' },
      { source_labels: ['a'], regex: 'f(.*)', target_label: 'd', separator: ';', replacement: 'ch$1-ch$1', action: 'replace' },
    ],
    output: null,
  },
  {
    name: 'drop on match',
    input: { a: 'foo', b: 'bar' },
    relabel: [{ source_labels: ['a'], regex: '.*o.*', action: 'drop' }],
    output: null,
  },
  {
    name: 'replace with a group in the middle',
    input: { a: 'abc' },
    relabel: [{ source_labels: ['a'], regex: '.*(b).*', target_label: 'd', separator: ';', replacement: '$1', action: 'replace' }],
    output: { a: 'abc', d: 'b' },
  },
  {
    name: 'drop without a match keeps',
    input: { a: 'foo' },
    relabel: [{ source_labels: ['a'], regex: 'no-match', action: 'drop' }],
    output: { a: 'foo' },
  },
  {
    name: 'the regex is anchored: f|o does not match foo',
    input: { a: 'foo' },
    relabel: [{ source_labels: ['a'], regex: 'f|o', action: 'drop' }],
    output: { a: 'foo' },
  },
  {
    name: 'keep without a match drops',
    input: { a: 'foo' },
    relabel: [{ source_labels: ['a'], regex: 'no-match', action: 'keep' }],
    output: null,
  },
  {
    name: 'keep on match',
    input: { a: 'foo' },
    relabel: [{ source_labels: ['a'], regex: 'f.*', action: 'keep' }],
    output: { a: 'foo' },
  },
  {
    name: 'no replacement without a match',
    input: { a: 'boo' },
    relabel: [{ source_labels: ['a'], regex: 'f', target_label: 'b', replacement: 'bar', action: 'replace' }],
    output: { a: 'boo' },
  },
  {
    name: 'a blank replacement deletes the target label',
    input: { a: 'foo', f: 'baz' },
    relabel: [{ source_labels: ['a'], regex: '(f).*', target_label: '$1', replacement: '$2', action: 'replace' }],
    output: { a: 'foo' },
  },
  {
    name: 'hashmod',
    input: { a: 'foo', b: 'bar', c: 'baz' },
    relabel: [{ source_labels: ['c'], target_label: 'd', separator: ';', action: 'hashmod', modulus: 1000 }],
    output: { a: 'foo', b: 'bar', c: 'baz', d: '976' },
  },
  {
    name: 'hashmod of a value with a newline',
    input: { a: 'foo\nbar' },
    relabel: [{ source_labels: ['a'], target_label: 'b', separator: ';', action: 'hashmod', modulus: 1000 }],
    output: { a: 'foo\nbar', b: '734' },
  },
  {
    name: 'labelmap',
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    relabel: [{ regex: '(b.*)', replacement: 'bar_${1}', action: 'labelmap' }],
    output: { a: 'foo', b1: 'bar', b2: 'baz', bar_b1: 'bar', bar_b2: 'baz' },
  },
  {
    name: 'labelmap of meta labels',
    input: { a: 'foo', __meta_my_bar: 'aaa', __meta_my_baz: 'bbb', __meta_other: 'ccc' },
    relabel: [{ regex: '__meta_(my.*)', replacement: '${1}', action: 'labelmap' }],
    output: { a: 'foo', __meta_my_bar: 'aaa', __meta_my_baz: 'bbb', __meta_other: 'ccc', my_bar: 'aaa', my_baz: 'bbb' },
  },
  {
    name: 'target label from a group',
    input: { a: 'some-name-value' },
    relabel: [{ source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', action: 'replace', replacement: '${2}', target_label: '${1}' }],
    output: { a: 'some-name-value', name: 'value' },
  },
  {
    name: 'a replacement of a missing group is empty: nothing set',
    input: { a: 'some-name-value' },
    relabel: [{ source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', action: 'replace', replacement: '${3}', target_label: '${1}' }],
    output: { a: 'some-name-value' },
  },
  {
    name: 'a target expanding to an invalid name is skipped',
    input: { a: 'some-name-0' },
    relabel: [
      { source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', action: 'replace', replacement: '${1}', target_label: '${3}' },
      { source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', action: 'replace', replacement: '${1}', target_label: '${3}' },
      { source_labels: ['a'], regex: 'some-([^-]+)(-[^,]+)', action: 'replace', replacement: '${1}', target_label: '${3}' },
    ],
    output: { a: 'some-name-0' },
  },
  {
    name: 'real-life service-discovery tags',
    input: { __meta_sd_tags: 'path:/secret,job:some-job,label:foo=bar' },
    relabel: [
      { source_labels: ['__meta_sd_tags'], regex: '(?:.+,|^)path:(/[^,]+).*', action: 'replace', replacement: '${1}', target_label: '__metrics_path__' },
      { source_labels: ['__meta_sd_tags'], regex: '(?:.+,|^)job:([^,]+).*', action: 'replace', replacement: '${1}', target_label: 'job' },
      { source_labels: ['__meta_sd_tags'], regex: '(?:.+,|^)label:([^=]+)=([^,]+).*', action: 'replace', replacement: '${2}', target_label: '${1}' },
    ],
    output: { __meta_sd_tags: 'path:/secret,job:some-job,label:foo=bar', __metrics_path__: '/secret', job: 'some-job', foo: 'bar' },
  },
  {
    name: 'prometheus/prometheus#12283: labeldrop then replace re-creates the label',
    input: { __meta_kubernetes_pod_container_port_name: 'foo', __meta_kubernetes_pod_annotation_XXX_metrics_port: '9091' },
    relabel: [
      { regex: '^__meta_kubernetes_pod_container_port_name$', action: 'labeldrop' },
      {
        source_labels: ['__meta_kubernetes_pod_annotation_XXX_metrics_port'],
        regex: '(.+)',
        action: 'replace',
        replacement: 'metrics',
        target_label: '__meta_kubernetes_pod_container_port_name',
      },
      { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: '^metrics$', action: 'keep' },
    ],
    output: { __meta_kubernetes_pod_annotation_XXX_metrics_port: '9091', __meta_kubernetes_pod_container_port_name: 'metrics' },
  },
  {
    name: 'labelkeep',
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    relabel: [{ regex: '(b.*)', action: 'labelkeep' }],
    output: { b1: 'bar', b2: 'baz' },
  },
  {
    name: 'labeldrop',
    input: { a: 'foo', b1: 'bar', b2: 'baz' },
    relabel: [{ regex: '(b.*)', action: 'labeldrop' }],
    output: { a: 'foo' },
  },
  {
    name: 'uppercase and lowercase',
    input: { foo: 'bAr123Foo' },
    relabel: [
      { source_labels: ['foo'], action: 'uppercase', target_label: 'foo_uppercase' },
      { source_labels: ['foo'], action: 'lowercase', target_label: 'foo_lowercase' },
    ],
    output: { foo: 'bAr123Foo', foo_lowercase: 'bar123foo', foo_uppercase: 'BAR123FOO' },
  },
  {
    name: 'keepequal keeps when equal',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    relabel: [{ source_labels: ['__tmp_port'], action: 'keepequal', target_label: '__port1' }],
    output: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
  },
  {
    name: 'dropequal drops when equal',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    relabel: [{ source_labels: ['__tmp_port'], action: 'dropequal', target_label: '__port1' }],
    output: null,
  },
  {
    name: 'dropequal keeps when different',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    relabel: [{ source_labels: ['__tmp_port'], action: 'dropequal', target_label: '__port2' }],
    output: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
  },
  {
    name: 'keepequal drops when different',
    input: { __tmp_port: '1234', __port1: '1234', __port2: '5678' },
    relabel: [{ source_labels: ['__tmp_port'], action: 'keepequal', target_label: '__port2' }],
    output: null,
  },
  {
    name: '. matches a newline ((?s) is implied)',
    input: { a: 'line1\nline2', b: 'bar', c: 'baz' },
    relabel: [{ source_labels: ['a'], regex: 'line1.*line2', target_label: 'd', separator: ';', replacement: 'match${1}', action: 'replace' }],
    output: { a: 'line1\nline2', b: 'bar', c: 'baz', d: 'match' },
  },
  {
    name: 'numbered and named references, braced and not',
    input: { a: 'line1\nline2', b: 'bar', c: 'baz' },
    relabel: [
      { source_labels: ['a'], regex: '(line1).*(?<second>line2)', target_label: 'label1_${1}', separator: ';', replacement: 'val_${second}', action: 'replace' },
      { source_labels: ['a'], regex: '(line1).*(?<second>line2)', target_label: 'label2_$1', separator: ';', replacement: 'val_$second', action: 'replace' },
    ],
    output: { a: 'line1\nline2', b: 'bar', c: 'baz', label1_line1: 'val_line2', label2_line1: 'val_line2' },
  },
  {
    name: '__type__ from the metric name',
    input: { __name__: 'http_requests_total' },
    relabel: [{ source_labels: ['__name__'], regex: '.*_total$', target_label: '__type__', replacement: 'counter', action: 'replace' }],
    output: { __name__: 'http_requests_total', __type__: 'counter' },
  },
  {
    name: '__unit__ from the metric name',
    input: { __name__: 'disk_usage_bytes' },
    relabel: [{ source_labels: ['__name__'], regex: '.*_bytes$', target_label: '__unit__', replacement: 'bytes', action: 'replace' }],
    output: { __name__: 'disk_usage_bytes', __unit__: 'bytes' },
  },
];

describe('compileRelabelConfigs: Prometheus relabel_test.go TestRelabel cases', () => {
  it.each(PROMETHEUS_CASES)('$name', ({ relabel: configs, input, output }) => {
    expect(relabel(configs, input)).toEqual(output);
  });

  // The Go test validates these under model.UTF8Validation; with the legacy scheme they are refused.
  it.each([
    { name: 'UTF-8 source label', config: { source_labels: ['utf-8.label'], regex: 'line1.*line2', target_label: 'd' }, field: 'source_labels' },
    { name: 'UTF-8 target label', config: { source_labels: ['a'], regex: 'line1.*line2', target_label: 'utf-8.label' }, field: 'target_label' },
    { name: 'UTF-8 target with a $variable', config: { source_labels: ['a'], regex: 'line1.*line2', target_label: 'utf-8.label${1}' }, field: 'target_label' },
  ])('refuses the UTF-8-only case "$name" under the legacy name scheme', ({ config, field }) => {
    expect(issuesOf([config])).toEqual([expect.objectContaining({ rule: 0, field })]);
  });
});

describe('validation: Prometheus relabel_test.go TestRelabelValidate, legacy scheme', () => {
  it.each([
    { config: { action: '' }, field: 'action', message: 'unknown relabel action ""' },
    { config: { action: 'replace' }, field: 'target_label', message: "relabel configuration for replace action requires 'target_label' value" },
    { config: { action: 'lowercase' }, field: 'target_label', message: "relabel configuration for lowercase action requires 'target_label' value" },
    { config: { action: 'lowercase', target_label: '${3}' }, field: 'target_label', message: `"\${3}" is invalid 'target_label' for lowercase action` },
    { config: { source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', action: 'replace', replacement: '${1}', target_label: '0${3}' }, field: 'target_label', message: `"0\${3}" is invalid 'target_label' for replace action` },
    { config: { source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', action: 'replace', replacement: '${1}', target_label: '-${3}' }, field: 'target_label', message: `"-\${3}" is invalid 'target_label' for replace action` },
  ])('refuses $config', ({ config, field, message }) => {
    expect(issuesOf([config])).toEqual([{ rule: 0, field, message: expect.stringContaining(message) }]);
  });

  it.each([
    { source_labels: ['a'], regex: 'some-([^-]+)-([^,]+)', action: 'replace', replacement: '${1}', target_label: '${3}' },
    { regex: '__meta_kubernetes_pod_label_(strimzi_io_.+)', action: 'labelmap', replacement: '$1' },
    { regex: '__meta_(.+)', action: 'labelmap', replacement: '${1}' },
  ])('accepts %j', (config) => {
    expect(issuesOf([config])).toEqual([]);
  });
});

describe('isValidLabelNameTemplate: relabel_test.go TestTargetLabelLegacyValidity', () => {
  it.each([
    ['-label', false],
    ['label', true],
    ['label${1}', true],
    ['${1}label', true],
    ['${1}', true],
    ['${', false],
    ['$', false],
    ['${}', false],
    ['foo${', false],
    ['$1', true],
    ['asd$2asd', true],
    ['-foo${1}bar-', false],
    ['bar.foo${1}bar', false],
    ['_${1}_', true],
    ['foo${bar}foo', true],
  ])('%s → %s', (text, valid) => {
    expect(isValidLabelNameTemplate(text)).toBe(valid);
  });
});

describe('compileRelabelConfigs: defaults and explicit values (relabel.go Config.UnmarshalYAML)', () => {
  it('defaults: separator ";", regex "(.*)", replacement "$1", action replace', () => {
    expect(relabel([{ source_labels: ['a', 'b'], target_label: 'c' }], { a: 'foo', b: 'bar' })).toEqual({ a: 'foo', b: 'bar', c: 'foo;bar' });
  });

  it('joins missing source labels as empty strings', () => {
    expect(relabel([{ source_labels: ['a', 'missing', 'b'], target_label: 'c' }], { a: 'x', b: 'y' })).toEqual({ a: 'x', b: 'y', c: 'x;;y' });
  });

  it('keeps explicit empty separator, replacement and regex (prometheus/prometheus#18652)', () => {
    expect(relabel([{ source_labels: ['a', 'b'], separator: '', target_label: 'c' }], { a: 'x', b: 'y' })).toEqual({ a: 'x', b: 'y', c: 'xy' });
    expect(relabel([{ source_labels: ['a'], replacement: '', target_label: 'b' }], { a: 'x', b: 'y' })).toEqual({ a: 'x' });
    // regex '' only matches an empty value: no replacement for a non-empty one.
    expect(relabel([{ source_labels: ['a'], regex: '', target_label: 'b', replacement: 'set' }], { a: 'x' })).toEqual({ a: 'x' });
    expect(relabel([{ source_labels: ['missing'], regex: null, target_label: 'b', replacement: 'set' }], { a: 'x' })).toEqual({ a: 'x', b: 'set' });
  });

  it('sets a static label from no source labels (the value is empty, (.*) matches it)', () => {
    expect(relabel([{ target_label: 'cluster', replacement: 'eu-1' }], { a: 'x' })).toEqual({ a: 'x', cluster: 'eu-1' });
  });

  it('treats actions case-insensitively', () => {
    expect(relabel([{ source_labels: ['a'], regex: 'x', action: 'KEEP' }], { a: 'y' })).toBeNull();
  });

  it('reads $1_total as a group named "1_total" (empty), as Go templates do: the target is deleted', () => {
    expect(relabel([{ source_labels: ['a'], target_label: 'b', replacement: '$1_total' }], { a: 'x', b: 'old' })).toEqual({ a: 'x' });
    expect(relabel([{ source_labels: ['a'], target_label: 'b', replacement: '${1}_total' }], { a: 'x' })).toEqual({ a: 'x', b: 'x_total' });
    expect(relabel([{ source_labels: ['a'], target_label: 'b', replacement: '$$1 costs $$' }], { a: 'x' })).toEqual({ a: 'x', b: '$1 costs $' });
  });

  it('hashmod takes a uint64 modulus, as a number or a bigint', () => {
    const max = (1n << 64n) - 1n;
    const out = relabel([{ source_labels: ['a'], target_label: 'h', action: 'hashmod', modulus: max }], { a: 'x' });
    expect(BigInt(out?.h ?? '')).toBeLessThan(max);
    expect(relabel([{ source_labels: ['a'], target_label: 'h', action: 'hashmod', modulus: 1 }], { a: 'x' })).toEqual({ a: 'x', h: '0' });
  });

  it("lowercases and uppercases rune by rune as Go's strings.ToLower/ToUpper (not String.prototype)", () => {
    const out = relabel(
      [
        { source_labels: ['a'], target_label: 'up', action: 'uppercase' },
        { source_labels: ['a'], target_label: 'low', action: 'lowercase' },
      ],
      { a: 'straße İstanbul ǅ' },
    );
    expect(out).toEqual({ a: 'straße İstanbul ǅ', up: 'STRAßE İSTANBUL Ǆ', low: 'straße istanbul ǆ' });
  });
});

describe('compileRelabelConfigs: validation errors name the rule and the field', () => {
  it('reports every bad rule, each with its index and field', () => {
    const issues = issuesOf([
      { source_labels: ['a'], target_label: 'ok' },
      { source_labels: ['a'], regex: '(unclosed', target_label: 'b' },
      { action: 'hashmod', source_labels: ['a'], target_label: 'h' },
      { action: 'shuffle' },
      { source_labels: ['a'], target_label: 'b', colour: 'blue' },
      { action: 'labeldrop', regex: 'x', source_labels: ['a'] },
      { action: 'keepequal', source_labels: ['a'], target_label: 'b', regex: '(.*)' },
      { action: 'labelmap', regex: '(.*)', replacement: '0$1' },
      'not a rule',
      { source_labels: ['a'], target_label: 'b', regex: '\\pL+' },
      { source_labels: ['a'], target_label: 'h', action: 'hashmod', modulus: -1 },
    ]);
    expect(issues).toEqual([
      { rule: 1, field: 'regex', message: 'error parsing regexp: missing closing ): `(unclosed`' },
      { rule: 2, field: 'modulus', message: 'relabel configuration for hashmod requires non-zero modulus' },
      { rule: 3, field: 'action', message: expect.stringContaining('unknown relabel action "shuffle"') },
      { rule: 4, field: 'rule', message: 'unknown field "colour" (Prometheus refuses it too)' },
      { rule: 5, field: 'source_labels', message: "labeldrop action requires only 'regex', and no other fields" },
      { rule: 6, field: 'regex', message: "keepequal action requires only 'source_labels' and `target_label`, and no other fields" },
      { rule: 7, field: 'replacement', message: `"0$1" is invalid 'replacement' for labelmap action` },
      { rule: 8, field: 'rule', message: 'must be an object with relabel_config fields' },
      { rule: 9, field: 'regex', message: expect.stringMatching(/^not supported: Unicode class \\pL/) },
      { rule: 10, field: 'modulus', message: expect.stringContaining('must be an integer from 0 to 18446744073709551615') },
    ]);
  });

  it('puts every issue in the error message', () => {
    expect(() => compileRelabelConfigs([{ action: 'keep', regex: '[' }])).toThrow(
      'invalid relabel configuration: rule 0: regex: error parsing regexp: missing closing ]: `[`',
    );
  });

  it('accepts an unsupported regex in a rule whose action ignores the regex', () => {
    expect(issuesOf([{ source_labels: ['a'], target_label: 'h', action: 'hashmod', modulus: 8, regex: '\\pL' }])).toEqual([]);
  });
});

describe('CompiledRelabel.apply: output shape', () => {
  const frozen = (map: Record<string, string>): readonly Label[] => Object.freeze(labels(map).map((l) => Object.freeze(l)));

  it('returns the input array itself when no rule changes anything', () => {
    const input = frozen({ __name__: 'up', job: 'node' });
    const compiled = compileRelabelConfigs([
      { source_labels: ['job'], regex: 'node', action: 'keep' },
      { source_labels: ['job'], target_label: 'job' }, // sets the same value
      { regex: 'absent', action: 'labeldrop' },
    ]);
    expect(compiled.apply(input)).toBe(input);
  });

  it('returns a new frozen array, sorted by name, reusing the untouched Label objects', () => {
    const input = frozen({ __name__: 'up', job: 'node', zone: 'a' });
    const out = compileRelabelConfigs([{ source_labels: ['job'], target_label: 'b_copy' }]).apply(input);
    expect(out?.map((l) => l.name)).toEqual(['__name__', 'b_copy', 'job', 'zone']);
    expect(Object.isFrozen(out)).toBe(true);
    expect(out?.[0]).toBe(input[0]);
  });

  it('sorts unsorted input before relabelling (Prometheus label sets are always sorted)', () => {
    const input = [
      { name: 'z', value: '1' },
      { name: 'a', value: '2' },
    ];
    expect(compileRelabelConfigs([]).apply(input)).toEqual([
      { name: 'a', value: '2' },
      { name: 'z', value: '1' },
    ]);
  });

  it('drops a series left without labels', () => {
    expect(compileRelabelConfigs([{ regex: 'nothing', action: 'labelkeep' }]).apply(labels({ a: 'x' }))).toBeNull();
  });

  it('keeps __-prefixed labels: write_relabel_configs do not strip them (storage/remote/queue_manager.go)', () => {
    expect(relabel([{ target_label: '__tmp_shard', replacement: '3' }], { __name__: 'up' })).toEqual({ __name__: 'up', __tmp_shard: '3' });
  });

  it('caches by reference for frozen inputs only, with identical results', () => {
    const compiled = compileRelabelConfigs([{ source_labels: ['job'], target_label: 'copy' }]);
    const input = frozen({ job: 'node' });
    const first = compiled.apply(input);
    expect(compiled.apply(input)).toBe(first);
    const mutable = labels({ job: 'node' });
    const fresh = compiled.apply(mutable);
    expect(fresh).not.toBe(compiled.apply(mutable));
    expect(fresh).toEqual(first);
    const uncached = compileRelabelConfigs([{ source_labels: ['job'], target_label: 'copy' }], { cacheByReference: false });
    expect(uncached.apply(input)).not.toBe(uncached.apply(input));
  });

  it('caches drops too', () => {
    const compiled = compileRelabelConfigs([{ source_labels: ['job'], regex: 'node', action: 'drop' }]);
    const input = frozen({ job: 'node' });
    expect(compiled.apply(input)).toBeNull();
    expect(compiled.apply(input)).toBeNull();
  });
});

describe('checkRelabelledLabels', () => {
  it.each([
    [{ __name__: 'up', job: 'x' }, { ok: true, metricName: 'up' }],
    [{ job: 'x' }, { ok: false, reason: 'missing_metric_name', message: 'relabelling removed the __name__ label' }],
    [{ __name__: 'not valid', job: 'x' }, { ok: false, reason: 'invalid_metric_name', message: 'relabelling produced the invalid metric name "not valid"' }],
    [{ __name__: 'up', '0x': 'x' }, { ok: false, reason: 'invalid_label_name', message: 'relabelling produced the invalid label name "0x"' }],
  ])('%j → %j', (input, expected) => {
    expect(checkRelabelledLabels(labels(input))).toEqual(expected);
  });

  it('catches the invalid names labelmap can create, as Prometheus does not check them', () => {
    const out = compileRelabelConfigs([{ regex: 'a(.*)', action: 'labelmap', replacement: '$1' }]).apply(labels({ __name__: 'up', a1b: 'x' }));
    expect(out).toEqual(labels({ __name__: 'up', a1b: 'x', '1b': 'x' }));
    expect(checkRelabelledLabels(out ?? [])).toMatchObject({ ok: false, reason: 'invalid_label_name' });
  });
});
