import { ExpositionError } from './exposition-error';
import { Exposition, ExpositionFormat, parseExposition } from './parse-exposition';

const om = (text: string) => parseExposition(text, 'openmetrics');
const prom = (text: string) => parseExposition(text, 'prometheus-text');

function errorOf(run: () => unknown): ExpositionError {
  try {
    run();
  } catch (error) {
    if (error instanceof ExpositionError) return error;
    throw error;
  }
  throw new Error('expected an ExpositionError');
}

const flat = (e: Exposition) => e.families.flatMap((f) => f.samples.map((s) => ({ family: f.name, type: f.type, name: s.name, labels: Object.fromEntries(s.labels), value: s.value, timestampMs: s.timestampMs })));

describe('Prometheus text format 0.0.4', () => {
  it('reads HELP, TYPE, labels, values and millisecond timestamps, skipping comments and blank lines', () => {
    const e = prom([
      '# A comment that is not metadata',
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      '   ',
      '# Escaping in label values:',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'metric_without_timestamp_and_labels 12.47',
      'something_weird{problem="division by zero"} +Inf -3982045',
      '',
    ].join('\n'));
    expect(e.format).toBe('prometheus-text');
    expect(e.families.map((f) => [f.name, f.type, f.help])).toEqual([
      ['http_requests_total', 'counter', 'The total number of HTTP requests.'],
      ['msdos_file_access_time_seconds', 'unknown', undefined],
      ['metric_without_timestamp_and_labels', 'unknown', undefined],
      ['something_weird', 'unknown', undefined],
    ]);
    expect(flat(e)).toEqual([
      { family: 'http_requests_total', type: 'counter', name: 'http_requests_total', labels: { method: 'post', code: '200' }, value: 1027, timestampMs: 1395066363000 },
      { family: 'http_requests_total', type: 'counter', name: 'http_requests_total', labels: { method: 'post', code: '400' }, value: 3, timestampMs: 1395066363000 },
      { family: 'msdos_file_access_time_seconds', type: 'unknown', name: 'msdos_file_access_time_seconds', labels: { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' }, value: 1.458255915e9, timestampMs: undefined },
      { family: 'metric_without_timestamp_and_labels', type: 'unknown', name: 'metric_without_timestamp_and_labels', labels: {}, value: 12.47, timestampMs: undefined },
      { family: 'something_weird', type: 'unknown', name: 'something_weird', labels: { problem: 'division by zero' }, value: Infinity, timestampMs: -3982045 },
    ]);
    expect(e.sampleCount).toBe(5);
  });

  it('groups a histogram\'s _bucket, _sum and _count and a summary\'s quantiles, _sum and _count under their family', () => {
    const e = prom([
      '# TYPE http_request_duration_seconds histogram',
      'http_request_duration_seconds_bucket{le="0.05"} 24054',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      'http_request_duration_seconds_sum 53423',
      'http_request_duration_seconds_count 144320',
      '# TYPE rpc_duration_seconds summary',
      'rpc_duration_seconds{quantile="0.5"} 4773',
      'rpc_duration_seconds{quantile="0.99"} NaN',
      'rpc_duration_seconds_sum 1.7560473e+07',
      'rpc_duration_seconds_count 2693',
    ].join('\n'));
    expect(e.families.map((f) => [f.name, f.type, f.samples.map((s) => s.name)])).toEqual([
      ['http_request_duration_seconds', 'histogram', ['http_request_duration_seconds_bucket', 'http_request_duration_seconds_bucket', 'http_request_duration_seconds_sum', 'http_request_duration_seconds_count']],
      ['rpc_duration_seconds', 'summary', ['rpc_duration_seconds', 'rpc_duration_seconds', 'rpc_duration_seconds_sum', 'rpc_duration_seconds_count']],
    ]);
    expect(e.families[1].samples[1].value).toBeNaN();
  });

  it('accepts tabs and blanks between tokens, a trailing comma, Inf/NaN spellings and no final newline', () => {
    const e = prom('a\t{x = "1" , y="2",}\t-Inf\t 5\nb NaN\nc +inf\nd -Infinity\ne .5e-3\nf 1E2');
    expect(flat(e).map((s) => [s.name, s.labels, s.value, s.timestampMs])).toEqual([
      ['a', { x: '1', y: '2' }, -Infinity, 5],
      ['b', {}, Number.NaN, undefined],
      ['c', {}, Infinity, undefined],
      ['d', {}, -Infinity, undefined],
      ['e', {}, 0.0005, undefined],
      ['f', {}, 100, undefined],
    ]);
  });

  it('keeps the first of two samples of one series and counts the other', () => {
    const e = prom('a{x="1"} 1\na{x="1"} 2\na{x="2"} 3\n');
    expect(flat(e).map((s) => s.value)).toEqual([1, 3]);
    expect(e.duplicateSamples).toBe(1);
  });

  it('keeps unknown escapes in HELP literally, as Prometheus does (a docstring must not fail a scrape)', () => {
    expect(prom('# HELP a C:\\temp\\\\x\\n.\na 1\n').families[0].help).toBe('C:\\temp\\x\n.');
  });

  it.each<[string, string, string, number]>([
    ['a value that is not a number', 'a{x="1"} 12abc\n', 'invalid_value', 1],
    ['a hex value (Go and JS accept it, the format does not)', 'a 0x10\n', 'invalid_value', 1],
    ['an empty value', 'ok 1\na{x="1"}\n', 'unexpected_character', 2],
    ['a fractional timestamp', 'a 1 1.5\n', 'invalid_timestamp', 1],
    ['a timestamp beyond a Date', 'a 1 99999999999999999\n', 'invalid_timestamp', 1],
    ['text after the timestamp', 'a 1 2 3\n', 'unexpected_character', 1],
    ['an unterminated label value', 'a{x="1} 1\n', 'invalid_label_value', 1],
    ['an unquoted label value', 'a{x=1} 1\n', 'invalid_label_value', 1],
    ['an invalid escape', 'ok 1\n\nb{x="\\t"} 1\n', 'invalid_escape', 3],
    ['a label name starting with a digit', 'a{1x="1"} 1\n', 'invalid_label_name', 1],
    ['the reserved __name__ label', 'a{__name__="b"} 1\n', 'invalid_label_name', 1],
    ['a label twice', 'a{x="1",x="2"} 1\n', 'duplicate_label_name', 1],
    ['a metric name starting with a digit', '1a 1\n', 'invalid_metric_name', 1],
    ['an unknown type', '# TYPE a countr\n', 'invalid_metadata', 1],
    ['a second TYPE', '# TYPE a gauge\n# TYPE a gauge\n', 'duplicate_metadata', 2],
    ['a second HELP', '# HELP a x\n# HELP a y\n', 'duplicate_metadata', 2],
    ['a TYPE after the samples', 'a 1\n# TYPE a gauge\n', 'metadata_after_samples', 2],
    ['a bucket without le', '# TYPE h histogram\nh_bucket{x="1"} 1\n', 'invalid_bucket_bound', 2],
    ['a bucket with a non-numeric le', '# TYPE h histogram\nh_bucket{le="big"} 1\n', 'invalid_bucket_bound', 2],
    ['a summary quantile above 1', '# TYPE s summary\ns{quantile="2"} 1\n', 'invalid_quantile', 2],
  ])('refuses %s with its reason and line', (_, text, reason, line) => {
    const error = errorOf(() => prom(text));
    expect(error.reason).toBe(reason);
    expect(error.line).toBe(line);
    expect(error.message).toMatch(new RegExp(`^line ${line}: `));
  });
});

describe('OpenMetrics 1.0 text', () => {
  it('reads counters as <family>_total with _created, UNIT, seconds timestamps with decimals, exemplars and # EOF', () => {
    const e = om([
      '# TYPE request_latency_seconds histogram',
      '# UNIT request_latency_seconds seconds',
      '# HELP request_latency_seconds Request latency with \\"quotes\\" and \\\\.',
      'request_latency_seconds_bucket{le="0.1"} 8 # {trace_id="abc"} 0.05 1520879607.789',
      'request_latency_seconds_bucket{le="+Inf"} 10',
      'request_latency_seconds_sum 1.5',
      'request_latency_seconds_count 10',
      'request_latency_seconds_created 1520430000.123',
      '# TYPE requests counter',
      'requests_total{code="200"} 17 1520879607.789',
      'requests_created{code="200"} 1520430000',
      '# EOF',
    ].join('\n'));
    expect(e.format).toBe('openmetrics');
    expect(e.families.map((f) => [f.name, f.type, f.unit, f.help, f.samples.length])).toEqual([
      ['request_latency_seconds', 'histogram', 'seconds', 'Request latency with "quotes" and \\.', 5],
      ['requests', 'counter', undefined, undefined, 2],
    ]);
    const total = e.families[1].samples[0];
    expect([total.name, total.value, total.timestampMs]).toEqual(['requests_total', 17, 1520879607789]);
    expect(e.families[0].samples[4]).toMatchObject({ name: 'request_latency_seconds_created', value: 1520430000.123 });
  });

  it('accepts # EOF with or without the final newline', () => {
    expect(om('a 1\n# EOF\n').sampleCount).toBe(1);
    expect(om('a 1\n# EOF').sampleCount).toBe(1);
    expect(om('# EOF').sampleCount).toBe(0);
  });

  it.each<[string, string, string, number]>([
    ['a missing # EOF', 'a 1\n', 'missing_eof', 2],
    ['content after # EOF', 'a 1\n# EOF\nb 2\n', 'content_after_eof', 3],
    ['a blank line after # EOF', '# EOF\n\n', 'content_after_eof', 2],
    ['an empty line', 'a 1\n\n# EOF\n', 'empty_line', 2],
    ['a free comment', '# just a comment\n# EOF\n', 'invalid_comment', 1],
    ['two spaces before the value', 'a  1\n# EOF\n', 'invalid_value', 1],
    ['a tab before the value', 'a\t1\n# EOF\n', 'unexpected_character', 1],
    ['a trailing comma', 'a{x="1",} 1\n# EOF\n', 'unexpected_character', 1],
    ['spaces inside the label set', 'a{x = "1"} 1\n# EOF\n', 'unexpected_character', 1],
    ['a millisecond timestamp that is NaN', 'a 1 NaN\n# EOF\n', 'invalid_timestamp', 1],
    ['a malformed exemplar', 'a_total 1 # trace\n# EOF\n', 'invalid_exemplar', 1],
    ['an exemplar with a bad value', 'a_total 1 # {t="1"} x\n# EOF\n', 'invalid_exemplar', 1],
    ['interleaved families', 'a 1\nb 1\na{x="2"} 1\n# EOF\n', 'interleaved_family', 3],
    ['a UNIT the name does not end with', '# UNIT a_bytes seconds\n# EOF\n', 'invalid_metadata', 1],
    ['HELP after the samples', 'a 1\n# HELP a late\n# EOF\n', 'metadata_after_samples', 2],
    ['an unknown type', '# TYPE a untyped\n# EOF\n', 'invalid_metadata', 1],
  ])('refuses %s with its reason and line', (_, text, reason, line) => {
    const error = errorOf(() => om(text));
    expect([error.reason, error.line]).toEqual([reason, line]);
  });
});

describe('limits', () => {
  const limits = { maxLineLength: 100, maxSeries: 3, maxLabelsPerSeries: 2 };
  it.each<[ExpositionFormat, string, string, number]>([
    ['prometheus-text', `ok 1\na{x="${'y'.repeat(200)}"} 1\n`, 'line_too_long', 2],
    ['prometheus-text', 'a 1\nb 1\nc 1\nd 1\n', 'too_many_series', 4],
    ['openmetrics', 'a{x="1",y="2",z="3"} 1\n# EOF\n', 'too_many_labels', 1],
  ])('%s: refuses %j with %s', (format, text, reason, line) => {
    const error = errorOf(() => parseExposition(text, format, limits));
    expect([error.reason, error.line]).toEqual([reason, line]);
  });

  it('counts duplicates apart from the series limit', () => {
    expect(parseExposition('a 1\na 1\na 1\nb 1\nc 1\n', 'prometheus-text', limits).sampleCount).toBe(3);
  });
});
