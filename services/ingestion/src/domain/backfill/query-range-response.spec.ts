import { apiError, parseQueryRangeResponse, QueryRangeResponseError } from './query-range-response';

const LIMITS = { maxSeries: 10, maxPointsPerSeries: 5 };
const ok = (result: unknown, extra: Record<string, unknown> = {}) => ({ status: 'success', data: { resultType: 'matrix', result }, ...extra });

function pathOf(body: unknown): string {
  try {
    parseQueryRangeResponse(body, LIMITS);
  } catch (error) {
    if (error instanceof QueryRangeResponseError) return error.path;
    throw error;
  }
  throw new Error('expected a QueryRangeResponseError');
}

describe('parseQueryRangeResponse', () => {
  it('reads series, labels, second timestamps with decimals and string values; drops NaN/±Inf and counts them', () => {
    const out = parseQueryRangeResponse(ok([
      { metric: { namespace: 'shop', workload: 'api', workload_type: 'deployment' }, values: [[1700000000, '0.25'], [1700000300.5, '1e3'], [1700000600, 'NaN'], [1700000900, '+Inf']] },
      { metric: {}, values: [] },
    ], { warnings: ['PromQL info: metric might not be a counter'] }), LIMITS);
    expect(out.series).toEqual([
      { labels: new Map([['namespace', 'shop'], ['workload', 'api'], ['workload_type', 'deployment']]), samples: [{ timestampMs: 1700000000000, value: 0.25 }, { timestampMs: 1700000300500, value: 1000 }] },
      { labels: new Map(), samples: [] },
    ]);
    expect(out.nonFiniteDropped).toBe(2);
    expect(out.points).toBe(4);
    expect(out.warnings).toEqual(['PromQL info: metric might not be a counter']);
  });

  it('accepts a series that has only native histograms (no float values)', () => {
    expect(parseQueryRangeResponse(ok([{ metric: { a: 'b' }, histograms: [] }]), LIMITS).series[0].samples).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['not an object', '<html>', '$'],
    ['an error envelope', { status: 'error', errorType: 'bad_data', error: 'parse error' }, '$.status'],
    ['no data', { status: 'success' }, '$.data'],
    ['a vector', { status: 'success', data: { resultType: 'vector', result: [] } }, '$.data.resultType'],
    ['a result that is not an array', ok({}), '$.data.result'],
    ['too many series', ok(Array.from({ length: 11 }, () => ({ metric: {}, values: [] }))), '$.data.result'],
    ['a series without metric', ok([{ values: [] }]), '$.data.result[0].metric'],
    ['a label value that is a number', ok([{ metric: { a: 1 }, values: [] }]), '$.data.result[0].metric.a'],
    ['an invalid label name', ok([{ metric: { 'a-b': 'x' }, values: [] }]), '$.data.result[0].metric'],
    ['values missing', ok([{ metric: {} }]), '$.data.result[0].values'],
    ['more points than asked for', ok([{ metric: {}, values: [[1, '1'], [2, '1'], [3, '1'], [4, '1'], [5, '1'], [6, '1']] }]), '$.data.result[0].values'],
    ['a pair of three', ok([{ metric: {}, values: [[1, '1', 2]] }]), '$.data.result[0].values[0]'],
    ['a timestamp as a string', ok([{ metric: {}, values: [['1', '1']] }]), '$.data.result[0].values[0][0]'],
    ['a value as a number', ok([{ metric: {}, values: [[1, 1]] }]), '$.data.result[0].values[0][1]'],
    ['a value that is not a number', ok([{ metric: {}, values: [[1, 'one']] }]), '$.data.result[0].values[0][1]'],
    ['timestamps going back', ok([{ metric: {}, values: [[2, '1'], [1, '1']] }]), '$.data.result[0].values[1][0]'],
  ])('refuses %s, naming the path', (_, body, path) => {
    expect(pathOf(body)).toBe(path);
  });

  it('reads the API error envelope', () => {
    expect(apiError({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error' })).toEqual({ errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error' });
    expect(apiError({ status: 'success' })).toBeUndefined();
  });
});
