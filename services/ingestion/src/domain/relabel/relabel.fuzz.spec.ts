import fc from 'fast-check';
import type { Label } from '../remote-write';
import { compileRelabelConfigs, RelabelConfigError, type RelabelConfigInput } from './index';
import { LinearMatcher } from './linear-matcher';
import { RegexAnalysis } from './re2-analysis';
import { toJsSource } from './re2-js';
import { parseRelabelRegex, RegexSyntaxError, RegexUnsupportedError } from './re2-syntax';
import { compileRelabelRegex } from './relabel-regex';

// --- regex patterns from a small grammar (valid and invalid Go syntax alike) -----------------------

const atom = fc.constantFrom(
  'a', 'b', 'c', ':', ';', '.', '\\d', '\\w', '\\s', '\\W', '[ab]', '[^a]', '[a-c]', '\\n', 'A', 'k', 's', '\\b', '\\B',
  '^', '$', '\\x{17F}', '[[:alpha:]]', '[^[:digit:]b]', '\\Q.*\\E', '(?i)', '(?-s)', '(?m)', '(?U)', '{', '}',
);
const quantifier = fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{0,2}', '{1,}', '*?', '+?', '??', '{1,3}?', '**');
const pattern: fc.Arbitrary<string> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(atom, quantifier).map(([a, q]) => a + q),
    fc
      .tuple(fc.constantFrom('(', '(?:', '(?P<n>', '(?i:', '(?s-s:'), tie('alternation'), quantifier)
      .map(([open, inner, q]) => `${open}${inner as string})${q}`),
  ),
  sequence: fc.array(tie('node'), { minLength: 0, maxLength: 4 }).map((nodes) => (nodes as string[]).join('')),
  alternation: fc.array(tie('sequence'), { minLength: 1, maxLength: 3 }).map((branches) => (branches as string[]).join('|')),
})).alternation as fc.Arbitrary<string>;
const subject = fc.stringMatching(/^[abcAkKs:; \n1\u017F]{0,10}$/);

describe('relabel regexes (fuzzed)', () => {
  it('compile or refuse with a RegexSyntaxError / RegexUnsupportedError, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(pattern, fc.string({ unit: 'binary', maxLength: 30 })), (text) => {
        try {
          compileRelabelRegex(text);
        } catch (error) {
          if (!(error instanceof RegexSyntaxError) && !(error instanceof RegexUnsupportedError)) throw error;
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('give the same submatches in JavaScript (where it agrees with Go), the linear matcher and the facade', () => {
    fc.assert(
      fc.property(pattern, fc.array(subject, { minLength: 1, maxLength: 8 }), (text, inputs) => {
        let parsed;
        try {
          parsed = parseRelabelRegex(text);
        } catch {
          return; // invalid or unsupported: covered above
        }
        const linear = new LinearMatcher(parsed.root, parsed.captureCount);
        const js = new RegexAnalysis().jsDivergence(parsed.root) === null ? new RegExp(toJsSource(parsed.root), 'u') : null;
        const facade = compileRelabelRegex(text, { maxBacktrackingWork: 64 }); // short inputs in JavaScript, longer ones linear
        for (const input of inputs) {
          const expected = linear.exec(input);
          expect(normalise(linear.execPike(input))).toEqual(normalise(expected));
          expect(normalise(facade.exec(input))).toEqual(normalise(expected));
          expect(facade.test(input)).toBe(expected !== null);
          if (js !== null) expect(normalise(js.exec(input))).toEqual(normalise(expected));
        }
      }),
      { numRuns: 1000 },
    );
  });
});

function normalise(groups: readonly (string | undefined)[] | null): (string | null)[] | null {
  return groups === null ? null : Array.from(groups, (group) => group ?? null);
}

// --- whole rule lists ------------------------------------------------------------------------------------

const labelName = fc.constantFrom('__name__', 'a', 'b', 'job', 'pod', '__tmp', 'x1');
const sources = fc.array(labelName, { minLength: 1, maxLength: 3 });
const plainTarget = fc.constantFrom('a', 'job', 'new', '__tmp');
const regex = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('(.*)', '(.+)-(.*)', 'a|b', '(?i)J.*', '((a)|b)+', '(?:|a)?(.*)', '.*o.*', '(.*);(.*)', 'x(\d+)?') },
  { weight: 1, arbitrary: pattern },
);
/** Rules shaped as each action wants them (so most compile), plus any mix of fields. */
const configArb: fc.Arbitrary<RelabelConfigInput> = fc.oneof(
  fc.record(
    {
      action: fc.constant('replace'),
      source_labels: sources,
      separator: fc.constantFrom(';', '', '/'),
      regex,
      target_label: fc.constantFrom('a', 'job', 'new', '$1', '${1}_x', 'out_${2}'),
      replacement: fc.constantFrom('$1', '${1}', '$1_x', '', 'static', '${2}-$1', '$$', '$'),
    },
    { requiredKeys: ['source_labels', 'target_label'] },
  ),
  fc.record({ action: fc.constantFrom('keep', 'drop'), source_labels: sources, regex }),
  fc.record({ action: fc.constant('hashmod'), source_labels: sources, target_label: plainTarget, modulus: fc.integer({ min: 1, max: 2 ** 40 }) }),
  fc.record({ action: fc.constant('labelmap'), regex, replacement: fc.constantFrom('$1', '${1}', 'x_$1', 'renamed', '${1}_${2}') }),
  fc.record({ action: fc.constantFrom('labeldrop', 'labelkeep'), regex }),
  fc.record({ action: fc.constantFrom('lowercase', 'uppercase', 'keepequal', 'dropequal'), source_labels: sources, target_label: plainTarget }),
  fc.record(
    {
      action: fc.string(),
      source_labels: fc.array(fc.string()),
      separator: fc.string(),
      regex: fc.oneof(fc.constant(null), fc.string()),
      modulus: fc.integer(),
      target_label: fc.string(),
      replacement: fc.string(),
    },
    { requiredKeys: [] },
  ),
);
/** Anything an array of labels may hold: unsorted, duplicate or empty names and values, odd strings. */
const anyLabels: fc.Arbitrary<Label[]> = fc.array(
  fc.record({
    name: fc.oneof(labelName, fc.string({ unit: 'binary', maxLength: 12 })),
    value: fc.oneof(fc.constantFrom('', 'a', 'foo;bar', 'Straße', 'x-y'), fc.string({ unit: 'binary', maxLength: 20 })),
  }),
  { maxLength: 8 },
);

describe('CompiledRelabel.apply (fuzzed)', () => {
  it('never throws once compiled, and returns null or labels sorted by name', () => {
    let compiled = 0;
    fc.assert(
      fc.property(fc.array(configArb, { minLength: 1, maxLength: 4 }), fc.array(anyLabels, { minLength: 1, maxLength: 5 }), (configs, labelSets) => {
        let relabel;
        try {
          relabel = compileRelabelConfigs(configs);
        } catch (error) {
          if (error instanceof RelabelConfigError) return;
          throw error;
        }
        compiled++;
        for (const labels of labelSets) {
          const out = relabel.apply(labels);
          if (out === null) continue;
          expect(out.length).toBeGreaterThan(0);
          for (let i = 1; i < out.length; i++) expect(out[i - 1].name <= out[i].name).toBe(true);
        }
      }),
      { numRuns: 800 },
    );
    expect(compiled).toBeGreaterThan(200);
  });

  it('gives the same result from its per-reference cache as without it', () => {
    fc.assert(
      fc.property(fc.array(configArb, { minLength: 1, maxLength: 3 }), anyLabels, (configs, labels) => {
        let cached;
        let uncached;
        try {
          cached = compileRelabelConfigs(configs);
          uncached = compileRelabelConfigs(configs, { cacheByReference: false });
        } catch {
          return;
        }
        const frozen = Object.freeze(labels.map((label) => Object.freeze({ ...label })));
        const expected = uncached.apply(frozen);
        expect(cached.apply(frozen)).toEqual(expected);
        expect(cached.apply(frozen)).toEqual(expected); // the hit
      }),
      { numRuns: 300 },
    );
  });
});
