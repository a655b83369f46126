import { ExpositionError, ExpositionErrorReason, quoteScraped } from './exposition-error';

/**
 * A parser for the two text formats a scrape can be answered in:
 * - the Prometheus text format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/):
 *   blanks and tabs between tokens, `# HELP`/`# TYPE` metadata, other `#` lines are comments,
 *   optional integer timestamps in milliseconds;
 * - OpenMetrics 1.0 text (https://github.com/OpenObservability/OpenMetrics/blob/main/specification/OpenMetrics.md):
 *   single spaces, `# HELP`/`# TYPE`/`# UNIT`, the mandatory `# EOF`, timestamps in seconds with
 *   decimals, exemplars, counters as `<family>_total` (+ `_created`), families not interleaved.
 * Both: label values escape `\\`, `\"` and `\n` (any other escape is refused, as both specs say);
 * values are decimal floats, `NaN`, `+Inf`, `-Inf` (case-insensitive, `Infinity` too).
 *
 * It works line by line in one pass with no backtracking, bounded by the line length and the number
 * of series, and throws nothing but ExpositionError (fuzzed in parse-exposition.fuzz.spec.ts).
 */

export type ExpositionFormat = 'prometheus-text' | 'openmetrics';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'stateset' | 'info' | 'unknown';

export interface ExposedSample {
  /** The sample's own name, e.g. `http_request_duration_seconds_bucket` or `requests_total`. */
  name: string;
  labels: ReadonlyMap<string, string>;
  value: number;
  /** The exposed timestamp in ms (OpenMetrics seconds are converted), if the line has one. */
  timestampMs?: number;
  /** 1-based line number, for messages about this sample. */
  line: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help?: string;
  unit?: string;
  samples: ExposedSample[];
}

export interface Exposition {
  format: ExpositionFormat;
  families: MetricFamily[];
  /** Samples kept (unique series). */
  sampleCount: number;
  /** Samples dropped because an earlier line had the same name and labels (the first one is kept). */
  duplicateSamples: number;
}

export interface ExpositionLimits {
  /** Longest line accepted, in UTF-16 code units. */
  maxLineLength: number;
  /** Most series (unique name + labels) in one exposition, like Prometheus' `sample_limit`. */
  maxSeries: number;
  maxLabelsPerSeries: number;
}

export const DEFAULT_EXPOSITION_LIMITS: ExpositionLimits = { maxLineLength: 64 * 1024, maxSeries: 50_000, maxLabelsPerSeries: 128 };

const TEXT_TYPES: Record<string, MetricType> = { counter: 'counter', gauge: 'gauge', histogram: 'histogram', summary: 'summary', untyped: 'unknown' };
const OPENMETRICS_TYPES: Record<string, MetricType> = {
  counter: 'counter', gauge: 'gauge', histogram: 'histogram', gaugehistogram: 'gaugehistogram', summary: 'summary', stateset: 'stateset', info: 'info', unknown: 'unknown',
};

/** Sample-name suffixes each family type may use (OpenMetrics §4; the text format's histograms and summaries). */
const SUFFIXES: Record<MetricType, readonly string[]> = {
  counter: ['_total', '_created'],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  summary: ['_count', '_sum', '_created'],
  info: ['_info'],
  gauge: [],
  stateset: [],
  unknown: [],
};
const ALL_SUFFIXES = ['_total', '_created', '_bucket', '_count', '_sum', '_gcount', '_gsum', '_info'];

interface FamilyState {
  family: MetricFamily;
  typed: boolean;
  sampled: boolean;
}

export function parseExposition(text: string, format: ExpositionFormat, limits: ExpositionLimits = DEFAULT_EXPOSITION_LIMITS): Exposition {
  return new ExpositionParser(text, format, limits).parse();
}

class ExpositionParser {
  private readonly strict: boolean;
  private readonly families = new Map<string, FamilyState>();
  private readonly order: MetricFamily[] = [];
  private readonly seen = new Set<string>();
  private duplicates = 0;
  private lineNo = 0;
  // OpenMetrics: the family being read, and those already finished (they may not come back).
  private current: string | undefined;
  private readonly finished = new Set<string>();

  constructor(
    private readonly text: string,
    private readonly format: ExpositionFormat,
    private readonly limits: ExpositionLimits,
  ) {
    this.strict = format === 'openmetrics';
  }

  parse(): Exposition {
    const { text } = this;
    let pos = 0;
    let eof = false;
    while (pos < text.length) {
      const nl = text.indexOf('\n', pos);
      const end = nl < 0 ? text.length : nl;
      this.lineNo++;
      if (eof) this.fail('content_after_eof', 'nothing may follow "# EOF"');
      if (end - pos > this.limits.maxLineLength) this.fail('line_too_long', `line is longer than ${this.limits.maxLineLength} characters`);
      const line = text.slice(pos, end);
      pos = end + 1;
      if (this.strict) eof = this.openMetricsLine(line);
      else this.textLine(line);
    }
    if (this.strict && !eof) {
      this.lineNo++;
      this.fail('missing_eof', 'an OpenMetrics exposition must end with "# EOF"');
    }
    return { format: this.format, families: this.order, sampleCount: this.seen.size, duplicateSamples: this.duplicates };
  }

  private fail(reason: ExpositionErrorReason, detail: string): never {
    throw new ExpositionError(reason, this.lineNo, detail);
  }

  // --- Prometheus text 0.0.4 ---------------------------------------------------------------------

  private textLine(raw: string): void {
    let i = skipBlanks(raw, 0);
    if (i === raw.length) return; // empty lines are ignored
    if (raw.charCodeAt(i) !== 0x23 /* # */) {
      this.sample(raw, i);
      return;
    }
    i = skipBlanks(raw, i + 1);
    const keywordEnd = tokenEnd(raw, i, false);
    const keyword = raw.slice(i, keywordEnd);
    if (keyword !== 'HELP' && keyword !== 'TYPE') return; // a comment
    i = skipBlanks(raw, keywordEnd);
    const nameEnd = tokenEnd(raw, i, false);
    const name = raw.slice(i, nameEnd);
    if (!isMetricName(name)) this.fail('invalid_metadata', `# ${keyword} needs a valid metric name, got ${quoteScraped(name)}`);
    if (keyword === 'HELP') {
      // Blanks separate the name from the docstring; the rest of the line is the docstring.
      this.help(name, unescapeHelp(raw.slice(skipBlanks(raw, nameEnd)), false));
      return;
    }
    i = skipBlanks(raw, nameEnd);
    const typeEnd = tokenEnd(raw, i, false);
    const type = raw.slice(i, typeEnd);
    if (skipBlanks(raw, typeEnd) !== raw.length) this.fail('invalid_metadata', `unexpected text after the type in # TYPE ${name}`);
    const mapped = Object.prototype.hasOwnProperty.call(TEXT_TYPES, type) ? TEXT_TYPES[type] : undefined;
    if (!mapped) this.fail('invalid_metadata', `unknown metric type ${quoteScraped(type)} for ${name} (counter, gauge, histogram, summary or untyped)`);
    this.type(name, mapped);
  }

  // --- OpenMetrics 1.0 ---------------------------------------------------------------------------

  /** Returns true for the `# EOF` line. */
  private openMetricsLine(line: string): boolean {
    if (line.length === 0) this.fail('empty_line', 'OpenMetrics does not allow empty lines');
    if (line.charCodeAt(0) !== 0x23 /* # */) {
      this.sample(line, 0);
      return false;
    }
    if (line === '# EOF') return true;
    const match = /^# (HELP|TYPE|UNIT) /.exec(line.slice(0, 7));
    if (!match) this.fail('invalid_comment', `OpenMetrics allows only "# HELP", "# TYPE", "# UNIT" and "# EOF" lines, got ${quoteScraped(line)}`);
    const keyword = match[1];
    const nameEnd = tokenEnd(line, 7, true);
    const name = line.slice(7, nameEnd);
    if (!isMetricName(name)) this.fail('invalid_metadata', `# ${keyword} needs a valid metric name, got ${quoteScraped(name)}`);
    const hasRest = nameEnd < line.length;
    if (hasRest && line.charCodeAt(nameEnd) !== 0x20) this.fail('invalid_metadata', `expected a space after the name in # ${keyword} ${name}`);
    const rest = hasRest ? line.slice(nameEnd + 1) : '';
    this.enterFamily(name);
    if (keyword === 'HELP') {
      this.help(name, unescapeHelp(rest, true));
    } else if (keyword === 'TYPE') {
      const mapped = Object.prototype.hasOwnProperty.call(OPENMETRICS_TYPES, rest) ? OPENMETRICS_TYPES[rest] : undefined;
      if (!mapped) this.fail('invalid_metadata', `unknown metric type ${quoteScraped(rest)} for ${name}`);
      this.type(name, mapped);
    } else {
      if (rest !== '' && !/^[a-zA-Z0-9_:]+$/.test(rest)) this.fail('invalid_metadata', `invalid unit ${quoteScraped(rest)} for ${name}`);
      if (rest !== '' && !name.endsWith(`_${rest}`)) this.fail('invalid_metadata', `the family name ${name} must end in _${rest} to have unit ${rest}`);
      const state = this.familyState(name);
      if (state.family.unit !== undefined) this.fail('duplicate_metadata', `second # UNIT for ${name}`);
      if (state.sampled) this.fail('metadata_after_samples', `# UNIT for ${name} after its samples`);
      state.family.unit = rest;
    }
    return false;
  }

  /** OpenMetrics: a family's lines are contiguous; one that was left may not come back. */
  private enterFamily(name: string): void {
    if (name === this.current) return;
    if (this.finished.has(name)) this.fail('interleaved_family', `lines of ${name} appear again after another family (OpenMetrics families may not interleave)`);
    if (this.current !== undefined) this.finished.add(this.current);
    this.current = name;
  }

  // --- metadata and samples, both formats --------------------------------------------------------

  private familyState(name: string): FamilyState {
    let state = this.families.get(name);
    if (!state) {
      state = { family: { name, type: 'unknown', samples: [] }, typed: false, sampled: false };
      this.families.set(name, state);
      this.order.push(state.family);
    }
    return state;
  }

  private help(name: string, help: string): void {
    const state = this.familyState(name);
    if (state.family.help !== undefined) this.fail('duplicate_metadata', `second # HELP for ${name}`);
    if (this.strict && state.sampled) this.fail('metadata_after_samples', `# HELP for ${name} after its samples`);
    state.family.help = help;
  }

  private type(name: string, type: MetricType): void {
    const state = this.familyState(name);
    if (state.typed) this.fail('duplicate_metadata', `second # TYPE for ${name}`);
    if (state.sampled) this.fail('metadata_after_samples', `# TYPE for ${name} after its samples`);
    state.typed = true;
    state.family.type = type;
  }

  /** The family a sample belongs to: its own name if declared, else the declared family its suffix names. */
  private resolveFamily(sampleName: string): FamilyState {
    const exact = this.families.get(sampleName);
    if (exact?.typed) return exact;
    for (const suffix of ALL_SUFFIXES) {
      if (!sampleName.endsWith(suffix)) continue;
      const base = this.families.get(sampleName.slice(0, -suffix.length));
      if (base?.typed && SUFFIXES[base.family.type].includes(suffix)) return base;
    }
    return exact ?? this.familyState(sampleName);
  }

  private sample(line: string, start: number): void {
    const strict = this.strict;
    let i = start;
    const nameEnd = metricNameEnd(line, i);
    if (nameEnd === i) this.fail('invalid_metric_name', `expected a metric name, got ${quoteScraped(line.slice(i, i + 16))}`);
    const name = line.slice(i, nameEnd);
    i = nameEnd;
    if (!strict && line.charCodeAt(skipBlanks(line, i)) === 0x7b /* { */) i = skipBlanks(line, i);
    const labels = new Map<string, string>();
    if (line.charCodeAt(i) === 0x7b /* { */) i = this.labels(line, i, labels, `${name}`);
    // Value.
    i = this.separator(line, i, 'the value');
    const valueEnd = tokenEnd(line, i, strict);
    const valueToken = line.slice(i, valueEnd);
    const value = parseFloatToken(valueToken);
    if (value === undefined) this.fail('invalid_value', `invalid sample value ${quoteScraped(valueToken)} for ${name}`);
    i = valueEnd;
    let timestampMs: number | undefined;
    if (!strict) {
      i = skipBlanks(line, i);
      if (i < line.length) {
        const tsEnd = tokenEnd(line, i, false);
        timestampMs = parseMillisTimestamp(line.slice(i, tsEnd));
        if (timestampMs === undefined) this.fail('invalid_timestamp', `invalid timestamp ${quoteScraped(line.slice(i, tsEnd))} for ${name} (integer milliseconds)`);
        if (skipBlanks(line, tsEnd) !== line.length) this.fail('unexpected_character', `unexpected text after the timestamp of ${name}`);
      }
    } else if (i < line.length) {
      i = this.separator(line, i, 'the timestamp or exemplar');
      if (line.charCodeAt(i) !== 0x23 /* # */) {
        const tsEnd = tokenEnd(line, i, true);
        timestampMs = parseSecondsTimestamp(line.slice(i, tsEnd));
        if (timestampMs === undefined) this.fail('invalid_timestamp', `invalid timestamp ${quoteScraped(line.slice(i, tsEnd))} for ${name} (seconds)`);
        i = tsEnd;
        if (i < line.length) i = this.separator(line, i, 'the exemplar');
      }
      if (i < line.length) this.exemplar(line, i, name);
    }

    const state = this.resolveFamily(name);
    if (strict) this.enterFamily(state.family.name);
    this.checkSpecialLabels(state.family, name, labels);
    const key = seriesKey(name, labels);
    if (this.seen.has(key)) {
      this.duplicates++;
      return;
    }
    if (this.seen.size >= this.limits.maxSeries) this.fail('too_many_series', `more than ${this.limits.maxSeries} series`);
    this.seen.add(key);
    state.sampled = true;
    state.family.samples.push(timestampMs === undefined ? { name, labels, value, line: this.lineNo } : { name, labels, value, timestampMs, line: this.lineNo });
  }

  /** Histogram buckets need a numeric `le`, summary quantiles a numeric `quantile`. */
  private checkSpecialLabels(family: MetricFamily, sampleName: string, labels: ReadonlyMap<string, string>): void {
    if ((family.type === 'histogram' || family.type === 'gaugehistogram') && sampleName === `${family.name}_bucket`) {
      const le = labels.get('le');
      if (le === undefined || parseFloatToken(le) === undefined || Number.isNaN(parseFloatToken(le))) {
        this.fail('invalid_bucket_bound', `bucket of ${family.name} needs a numeric "le" label, got ${le === undefined ? 'none' : quoteScraped(le)}`);
      }
    }
    if (family.type === 'summary' && sampleName === family.name) {
      const q = labels.get('quantile');
      const parsed = q === undefined ? undefined : parseFloatToken(q);
      if (parsed === undefined || Number.isNaN(parsed) || parsed < 0 || parsed > 1) {
        this.fail('invalid_quantile', `quantile of ${family.name} needs a "quantile" label between 0 and 1, got ${q === undefined ? 'none' : quoteScraped(q)}`);
      }
    }
  }

  /** OpenMetrics: exactly one space; text format: one or more blanks or tabs. */
  private separator(line: string, i: number, what: string): number {
    const c = line.charCodeAt(i);
    if (this.strict) {
      if (c !== 0x20) this.fail('unexpected_character', `expected a single space before ${what}, got ${i < line.length ? quoteScraped(line[i]) : 'end of line'}`);
      return i + 1;
    }
    if (c !== 0x20 && c !== 0x09) this.fail('unexpected_character', `expected a blank before ${what}, got ${i < line.length ? quoteScraped(line[i]) : 'end of line'}`);
    return skipBlanks(line, i);
  }

  /** Parses `{name="value",...}` from `line[i] === '{'`; returns the index after `}`. */
  private labels(line: string, i: number, into: Map<string, string>, metric: string): number {
    const strict = this.strict;
    i++;
    let expectMore = false; // after a comma (OpenMetrics allows no trailing comma)
    for (;;) {
      if (!strict) i = skipBlanks(line, i);
      if (i >= line.length) this.fail('unexpected_character', `unterminated label set of ${metric}`);
      if (line.charCodeAt(i) === 0x7d /* } */) {
        if (strict && expectMore) this.fail('unexpected_character', `trailing comma in the label set of ${metric}`);
        return i + 1;
      }
      const nameEnd = labelNameEnd(line, i);
      if (nameEnd === i) this.fail('invalid_label_name', `invalid label name at ${quoteScraped(line.slice(i, i + 16))} in ${metric}`);
      const labelName = line.slice(i, nameEnd);
      if (labelName === '__name__') this.fail('invalid_label_name', `label name __name__ is reserved (in ${metric})`);
      i = nameEnd;
      if (!strict) i = skipBlanks(line, i);
      if (line.charCodeAt(i) !== 0x3d /* = */) this.fail('unexpected_character', `expected "=" after label ${labelName} of ${metric}`);
      i++;
      if (!strict) i = skipBlanks(line, i);
      if (line.charCodeAt(i) !== 0x22 /* " */) this.fail('invalid_label_value', `label ${labelName} of ${metric} needs a quoted value`);
      const [value, after] = this.quoted(line, i + 1, `label ${labelName} of ${metric}`);
      if (into.has(labelName)) this.fail('duplicate_label_name', `label ${labelName} appears twice in ${metric}`);
      if (into.size >= this.limits.maxLabelsPerSeries) this.fail('too_many_labels', `more than ${this.limits.maxLabelsPerSeries} labels in ${metric}`);
      into.set(labelName, value);
      i = after;
      if (!strict) i = skipBlanks(line, i);
      const c = line.charCodeAt(i);
      if (c === 0x2c /* , */) {
        i++;
        expectMore = true;
      } else if (c === 0x7d /* } */) {
        return i + 1;
      } else {
        this.fail('unexpected_character', `expected "," or "}" after label ${labelName} of ${metric}, got ${i < line.length ? quoteScraped(line[i]) : 'end of line'}`);
      }
    }
  }

  /** Reads an escaped string up to its closing quote; returns the value and the index after the quote. */
  private quoted(line: string, i: number, what: string): [string, number] {
    let out = '';
    let from = i;
    for (;;) {
      const quote = line.indexOf('"', from);
      const backslash = line.indexOf('\\', from);
      if (quote < 0) this.fail('invalid_label_value', `unterminated value of ${what}`);
      if (backslash < 0 || quote < backslash) return [out + line.slice(from, quote), quote + 1];
      out += line.slice(from, backslash);
      const escaped = line[backslash + 1];
      if (escaped === '\\') out += '\\';
      else if (escaped === '"') out += '"';
      else if (escaped === 'n') out += '\n';
      else this.fail('invalid_escape', `invalid escape ${quoteScraped(`\\${escaped ?? ''}`)} in ${what} (only \\\\, \\" and \\n)`);
      from = backslash + 2;
    }
  }

  /** OpenMetrics exemplar ` # {labels} value [timestamp]`: validated and dropped. */
  private exemplar(line: string, i: number, metric: string): void {
    if (!line.startsWith('# {', i)) this.fail('invalid_exemplar', `expected an exemplar "# {...} value" after the value of ${metric}`);
    const labels = new Map<string, string>();
    try {
      i = this.labels(line, i + 2, labels, `the exemplar of ${metric}`);
    } catch (error) {
      if (error instanceof ExpositionError) this.fail('invalid_exemplar', error.message.replace(/^line \d+: /, ''));
      throw error;
    }
    if (line.charCodeAt(i) !== 0x20) this.fail('invalid_exemplar', `expected a space before the exemplar value of ${metric}`);
    const valueEnd = tokenEnd(line, i + 1, true);
    if (parseFloatToken(line.slice(i + 1, valueEnd)) === undefined) this.fail('invalid_exemplar', `invalid exemplar value for ${metric}`);
    i = valueEnd;
    if (i === line.length) return;
    if (line.charCodeAt(i) !== 0x20) this.fail('invalid_exemplar', `unexpected text after the exemplar of ${metric}`);
    const tsEnd = tokenEnd(line, i + 1, true);
    if (parseSecondsTimestamp(line.slice(i + 1, tsEnd)) === undefined || tsEnd !== line.length) this.fail('invalid_exemplar', `invalid exemplar timestamp for ${metric}`);
  }
}

// --- lexical helpers (linear, no regular expressions on unbounded input) -------------------------

function skipBlanks(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09) break;
    i++;
  }
  return i;
}

/** End of a token: the next space (OpenMetrics) or blank/tab (text format), or the end of the line. */
function tokenEnd(s: string, i: number, strict: boolean): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || (!strict && c === 0x09)) break;
    i++;
  }
  return i;
}

const isAlpha = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f; // a-z A-Z _
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** `[a-zA-Z_:][a-zA-Z0-9_:]*` */
function metricNameEnd(s: string, i: number): number {
  const first = s.charCodeAt(i);
  if (!(isAlpha(first) || first === 0x3a)) return i;
  i++;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (!(isAlpha(c) || isDigit(c) || c === 0x3a)) break;
    i++;
  }
  return i;
}

/** `[a-zA-Z_][a-zA-Z0-9_]*` */
function labelNameEnd(s: string, i: number): number {
  if (!isAlpha(s.charCodeAt(i))) return i;
  i++;
  while (i < s.length && (isAlpha(s.charCodeAt(i)) || isDigit(s.charCodeAt(i)))) i++;
  return i;
}

export function isMetricName(name: string): boolean {
  return name.length > 0 && metricNameEnd(name, 0) === name.length;
}

export function isLabelName(name: string): boolean {
  return name.length > 0 && labelNameEnd(name, 0) === name.length;
}

/** Checks `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?` by hand (no backtracking). */
function isDecimal(s: string): boolean {
  let i = 0;
  if (s[i] === '+' || s[i] === '-') i++;
  let digits = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (s[i] === '.') {
    i++;
    while (i < s.length && isDigit(s.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return false;
  if (s[i] === 'e' || s[i] === 'E') {
    i++;
    if (s[i] === '+' || s[i] === '-') i++;
    let exp = 0;
    while (i < s.length && isDigit(s.charCodeAt(i))) {
      i++;
      exp++;
    }
    if (exp === 0) return false;
  }
  return i === s.length;
}

/** A sample value: a decimal float, NaN or ±Inf/±Infinity (case-insensitive); undefined if invalid. */
export function parseFloatToken(token: string): number | undefined {
  if (token.length === 0 || token.length > 512) return undefined;
  if (isDecimal(token)) return Number(token);
  const lower = token.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  const unsigned = lower[0] === '+' || lower[0] === '-' ? lower.slice(1) : lower;
  if (unsigned === 'inf' || unsigned === 'infinity') return lower[0] === '-' ? -Infinity : Infinity;
  return undefined;
}

/** ±8.64e15 ms is the range of a JavaScript Date; anything outside is not a real timestamp. */
const MAX_TIMESTAMP_MS = 8.64e15;

/** Text format: an int64 of milliseconds (refused beyond ±8.64e15, where a Date ends). */
function parseMillisTimestamp(token: string): number | undefined {
  let i = token[0] === '-' ? 1 : 0;
  if (i === token.length || token.length > 20) return undefined;
  for (; i < token.length; i++) if (!isDigit(token.charCodeAt(i))) return undefined;
  const ms = Number(token);
  return Math.abs(ms) <= MAX_TIMESTAMP_MS ? ms : undefined;
}

/** OpenMetrics: seconds, decimals allowed (no NaN or Inf), rounded to milliseconds. */
function parseSecondsTimestamp(token: string): number | undefined {
  if (token.length > 64 || !isDecimal(token)) return undefined;
  const ms = Math.round(Number(token) * 1000);
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIMESTAMP_MS ? ms : undefined;
}

/**
 * HELP text: `\\` and `\n` (and in OpenMetrics `\"`) are unescaped; any other backslash is kept as
 * it is, as Prometheus' own parsers do — a docstring carries no data and must not fail a scrape.
 */
function unescapeHelp(text: string, openMetrics: boolean): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const next = text[i + 1];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"' && openMetrics) out += '"';
    else {
      out += c;
      continue;
    }
    i++;
  }
  return out;
}

/** A series' identity: name and labels in name order, unambiguous whatever the values contain. */
export function seriesKey(name: string, labels: ReadonlyMap<string, string>): string {
  const pairs = [...labels].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify([name, pairs]);
}
