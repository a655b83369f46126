import fc from 'fast-check';
import { ExpositionError } from './exposition-error';
import { ExpositionFormat, ExpositionLimits, parseExposition } from './parse-exposition';

const LIMITS: ExpositionLimits = { maxLineLength: 2048, maxSeries: 200, maxLabelsPerSeries: 16 };
const FORMATS: ExpositionFormat[] = ['prometheus-text', 'openmetrics'];

/** The contract under fuzzing: a result, or an ExpositionError; any other throw fails the property. */
function parsesOrRefuses(text: string, format: ExpositionFormat): void {
  try {
    parseExposition(text, format, LIMITS);
  } catch (error) {
    if (!(error instanceof ExpositionError)) throw error;
    expect(error.line).toBeGreaterThanOrEqual(1);
  }
}

// --- valid expositions, written in either format -------------------------------------------------

interface GenSeries {
  labels: [string, string][];
  value: number;
  timestampMs?: number;
}
interface GenFamily {
  name: string;
  type: 'gauge' | 'counter' | 'unknown';
  help?: string;
  series: GenSeries[];
}

const metricName = fc.stringMatching(/^[a-zA-Z:][a-zA-Z0-9:]{0,12}$/);
const labelName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,8}$/);
const labelValue = fc.oneof(fc.constantFrom('', '\\', '"', '\n', 'a"b\\c\nd', 'Zürich 東京 🚀', '# {x="1"} 2'), fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 }));
const value = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, -0, 1e-300, 5e-324, Number.MAX_VALUE));
const seriesArb: fc.Arbitrary<GenSeries> = fc.record(
  {
    labels: fc.uniqueArray(fc.tuple(labelName, labelValue), { maxLength: 4, selector: ([n]) => n }),
    value,
    // Whole seconds so both formats carry it exactly.
    timestampMs: fc.integer({ min: -1e9, max: 4e9 }).map((s) => s * 1000),
  },
  { requiredKeys: ['labels', 'value'] },
);
const familiesArb: fc.Arbitrary<GenFamily[]> = fc
  .uniqueArray(
    fc.record({ name: metricName, type: fc.constantFrom('gauge' as const, 'counter' as const, 'unknown' as const), help: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), series: fc.uniqueArray(seriesArb, { minLength: 1, maxLength: 4, selector: (s) => JSON.stringify([...s.labels].sort()) }) }),
    { maxLength: 5, selector: (f) => f.name.replace(/_total$/, '') },
  )
  // No family name may be another's sample name (x and x_total).
  .filter((fams) => new Set(fams.flatMap((f) => [f.name, `${f.name}_total`])).size === fams.length * 2);

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const formatValue = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : Object.is(v, -0) ? '-0' : String(v));

function write(families: GenFamily[], format: ExpositionFormat): string {
  const lines: string[] = [];
  for (const f of families) {
    const sampleName = format === 'openmetrics' && f.type === 'counter' ? `${f.name}_total` : f.name;
    const typeName = format === 'prometheus-text' && f.type === 'unknown' ? 'untyped' : f.type;
    lines.push(`# TYPE ${f.name} ${typeName}`);
    if (f.help !== undefined) lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`);
    for (const s of f.series) {
      const labels = s.labels.length ? `{${s.labels.map(([n, v]) => `${n}="${escapeLabel(v)}"`).join(',')}}` : '';
      const ts = s.timestampMs === undefined ? '' : ` ${format === 'openmetrics' ? s.timestampMs / 1000 : s.timestampMs}`;
      lines.push(`${sampleName}${labels} ${formatValue(s.value)}${ts}`);
    }
  }
  if (format === 'openmetrics') lines.push('# EOF');
  return lines.join('\n') + '\n';
}

describe('exposition parser under fuzzing', () => {
  it.each(FORMATS)('%s: reads back exactly what a writer wrote (labels, escapes, values, timestamps)', (format) => {
    fc.assert(
      fc.property(familiesArb, (families) => {
        const parsed = parseExposition(write(families, format), format, LIMITS);
        expect(parsed.families.map((f) => ({ name: f.name, type: f.type, help: f.help }))).toEqual(
          // The text format cannot carry a docstring's leading blanks: they separate it from the name.
          families.map((f) => ({ name: f.name, type: f.type, help: format === 'prometheus-text' ? f.help?.replace(/^[ \t]+/, '') : f.help })),
        );
        parsed.families.forEach((pf, i) => {
          expect(pf.samples.map((s) => ({ labels: [...s.labels], value: s.value, timestampMs: s.timestampMs }))).toEqual(
            families[i].series.map((s) => ({ labels: s.labels, value: s.value, timestampMs: s.timestampMs })),
          );
        });
      }),
      { numRuns: 300 },
    );
  });

  it.each(FORMATS)('%s: arbitrary text parses or is refused with an ExpositionError, never anything else', (format) => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ unit: fc.constantFrom('a', '_', ':', '{', '}', '=', '"', '\\', ',', ' ', '\t', '\n', '#', '1', '.', 'e', '-', '+', 'I', 'n', 'f', 'N', 'E', 'O', 'F', 'T', 'Y', 'P', 'H'), maxLength: 400 })), (text) => parsesOrRefuses(text, format)),
      { numRuns: 1000 },
    );
  });

  it.each(FORMATS)('%s: valid expositions with random edits parse or are refused with an ExpositionError', (format) => {
    const edit = fc.record({ at: fc.nat(), remove: fc.nat({ max: 4 }), insert: fc.string({ unit: fc.constantFrom('"', '\\', '{', '}', ',', '=', ' ', '\n', '#', 'x', '9', '\t', '\u0000', '😀'), maxLength: 4 }) });
    fc.assert(
      fc.property(familiesArb, fc.array(edit, { minLength: 1, maxLength: 5 }), (families, edits) => {
        let text = write(families, format);
        for (const e of edits) {
          const at = text.length === 0 ? 0 : e.at % text.length;
          text = text.slice(0, at) + e.insert + text.slice(at + e.remove);
        }
        parsesOrRefuses(text, format);
      }),
      { numRuns: 1000 },
    );
  });

  it.each(FORMATS)('%s: never hangs: adversarial half-megabyte inputs finish in linear time', (format) => {
    const big: ExpositionLimits = { maxLineLength: 2_000_000, maxSeries: 1_000_000, maxLabelsPerSeries: 1_000_000 };
    const n = 500_000;
    const inputs = [
      '1'.repeat(n) + 'x',
      `a ${'1'.repeat(n)}e`,
      `a{x="${'\\\\'.repeat(n / 2)}`,
      `a{${'x="1",'.repeat(n / 6)}`,
      '{'.repeat(n),
      '#'.repeat(n),
      `# HELP a ${'\\'.repeat(n)}`,
      'a 1\n'.repeat(n / 4),
      `a{${Array.from({ length: 20000 }, (_, i) => `l${i}="v"`).join(',')}} 1\n`,
    ];
    for (const text of inputs) {
      const started = process.hrtime.bigint();
      try {
        parseExposition(text, format, big);
      } catch (error) {
        if (!(error instanceof ExpositionError)) throw error;
      }
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      expect(ms).toBeLessThan(3000);
    }
  });
});
