import { isLabelName, parseFloatToken } from '../exposition/parse-exposition';

/**
 * The `/api/v1/query_range` answer (https://prometheus.io/docs/prometheus/latest/querying/api/):
 * `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{…},"values":[[<unix s>,"<value>"],…]}]},"warnings":[…]}`,
 * or on failure `{"status":"error","errorType":"bad_data","error":"…"}` with a 4xx/5xx status.
 * Everything is checked; the error names the JSON path of what is wrong.
 */

export class QueryRangeResponseError extends Error {
  override readonly name = 'QueryRangeResponseError';

  constructor(readonly path: string, detail: string) {
    super(`${path}: ${detail}`);
  }
}

export interface RangeSample {
  timestampMs: number;
  value: number;
}

export interface RangeSeries {
  labels: ReadonlyMap<string, string>;
  samples: RangeSample[];
}

export interface QueryRangeResult {
  series: RangeSeries[];
  warnings: string[];
  /** NaN and ±Inf values (and stale markers) left out. */
  nonFiniteDropped: number;
  points: number;
}

export interface QueryRangeLimits {
  maxSeries: number;
  /** Most values per series (the window's points; more means the server did not do what was asked). */
  maxPointsPerSeries: number;
}

const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : typeof v);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseQueryRangeResponse(body: unknown, limits: QueryRangeLimits): QueryRangeResult {
  if (!isObject(body)) throw new QueryRangeResponseError('$', `expected an object, got ${describe(body)}`);
  if (body.status !== 'success') {
    const api = apiError(body);
    throw new QueryRangeResponseError('$.status', api ? `the API answered ${api.errorType}: ${api.error}` : `expected "success", got ${describe(body.status)}`);
  }
  const warnings = Array.isArray(body.warnings) ? body.warnings.filter((w): w is string => typeof w === 'string').map((w) => w.slice(0, 500)) : [];
  const data = body.data;
  if (!isObject(data)) throw new QueryRangeResponseError('$.data', `expected an object, got ${describe(data)}`);
  if (data.resultType !== 'matrix') throw new QueryRangeResponseError('$.data.resultType', `expected "matrix", got ${describe(data.resultType)}`);
  const result = data.result;
  if (!Array.isArray(result)) throw new QueryRangeResponseError('$.data.result', `expected an array, got ${describe(result)}`);
  if (result.length > limits.maxSeries) throw new QueryRangeResponseError('$.data.result', `${result.length} series is more than the limit of ${limits.maxSeries}`);
  const series: RangeSeries[] = [];
  let nonFiniteDropped = 0;
  let points = 0;
  result.forEach((item, i) => {
    const at = `$.data.result[${i}]`;
    if (!isObject(item)) throw new QueryRangeResponseError(at, `expected an object, got ${describe(item)}`);
    if (!isObject(item.metric)) throw new QueryRangeResponseError(`${at}.metric`, `expected an object, got ${describe(item.metric)}`);
    const labels = new Map<string, string>();
    for (const [name, value] of Object.entries(item.metric)) {
      if (!isLabelName(name)) throw new QueryRangeResponseError(`${at}.metric`, `invalid label name ${describe(name)}`);
      if (typeof value !== 'string') throw new QueryRangeResponseError(`${at}.metric.${name}`, `expected a string, got ${describe(value)}`);
      labels.set(name, value);
    }
    // Native histograms come as `histograms`; a series with only those has no float samples.
    const values = item.values ?? (item.histograms !== undefined ? [] : undefined);
    if (!Array.isArray(values)) throw new QueryRangeResponseError(`${at}.values`, `expected an array, got ${describe(values)}`);
    if (values.length > limits.maxPointsPerSeries) throw new QueryRangeResponseError(`${at}.values`, `${values.length} points is more than the ${limits.maxPointsPerSeries} asked for`);
    const samples: RangeSample[] = [];
    let previous = -Infinity;
    values.forEach((pair, j) => {
      const p = `${at}.values[${j}]`;
      if (!Array.isArray(pair) || pair.length !== 2) throw new QueryRangeResponseError(p, `expected [<unix seconds>, "<value>"], got ${describe(pair)}`);
      const [ts, raw] = pair as unknown[];
      if (typeof ts !== 'number' || !Number.isFinite(ts)) throw new QueryRangeResponseError(`${p}[0]`, `expected a timestamp in seconds, got ${describe(ts)}`);
      if (typeof raw !== 'string') throw new QueryRangeResponseError(`${p}[1]`, `expected the value as a string, got ${describe(raw)}`);
      const value = parseFloatToken(raw);
      if (value === undefined) throw new QueryRangeResponseError(`${p}[1]`, `invalid sample value ${describe(raw)}`);
      const timestampMs = Math.round(ts * 1000);
      if (timestampMs <= previous) throw new QueryRangeResponseError(`${p}[0]`, 'timestamps must increase');
      previous = timestampMs;
      points++;
      if (!Number.isFinite(value)) {
        nonFiniteDropped++;
        return;
      }
      samples.push({ timestampMs, value });
    });
    series.push({ labels, samples });
  });
  return { series, warnings, nonFiniteDropped, points };
}

/** `{status:"error", errorType, error}` from a failed query, if the body is one. */
export function apiError(body: unknown): { errorType: string; error: string } | undefined {
  if (!isObject(body) || body.status !== 'error') return undefined;
  const errorType = typeof body.errorType === 'string' ? body.errorType.slice(0, 100) : 'unknown';
  const error = typeof body.error === 'string' ? body.error.slice(0, 1000) : '';
  return { errorType, error };
}
