import type { Label } from '../remote-write';
import { goSimpleFold, goToLowerRune, goToUpperRune } from './go-unicode';
import { GO_UNICODE_VERSION } from './go-unicode-tables';
import { compileRelabelConfigs, RelabelConfigError, type RelabelConfigInput } from './index';
import { LinearMatcher } from './linear-matcher';
import { RegexAnalysis } from './re2-analysis';
import { toJsSource } from './re2-js';
import { parseRelabelRegex, RegexSyntaxError, RegexUnsupportedError } from './re2-syntax';
import { compileRelabelRegex } from './relabel-regex';
import caseFixture from './testdata/go-case-fixture.json';
import regexVectors from './testdata/go-regexp-vectors.json';
import relabelVectors from './testdata/go-relabel-vectors.json';

// Expected results computed by Go itself: testdata/go-oracle runs Go's regexp package and Prometheus'
// relabelling code (copied from model/relabel/relabel.go) over the cases testdata/generate-vectors.ts
// writes (hand-picked plus seeded random ones). Regenerate with that script when the cases change.

type Groups = (string | null)[] | null;
interface RegexVector {
  pattern: string;
  inputs: string[];
  go: { error?: string; matches?: Groups[]; names?: string[] };
}
interface RelabelVector {
  configs: RelabelConfigInput[];
  inputs: Label[][];
  go: { error?: string; outputs?: (Label[] | null)[] };
}

/** Each pattern compiled once for the whole file (or the error it throws). */
const compiledCache = new Map<string, ReturnType<typeof compileRelabelRegex> | Error>();
function compiled(pattern: string): ReturnType<typeof compileRelabelRegex> {
  let entry = compiledCache.get(pattern);
  if (entry === undefined) {
    try {
      entry = compileRelabelRegex(pattern);
    } catch (error) {
      entry = error as Error;
    }
    compiledCache.set(pattern, entry);
  }
  if (entry instanceof Error) throw entry;
  return entry;
}

const normalise = (groups: readonly (string | undefined)[] | null): Groups =>
  groups === null ? null : Array.from(groups, (group) => group ?? null);

describe('relabel regexes against Go regexp (testdata/go-regexp-vectors.json)', () => {
  const vectors = regexVectors.cases as RegexVector[];
  const accepted = vectors.filter((vector) => vector.go.error === undefined);

  it('covers hundreds of patterns, in every engine', () => {
    const engines = new Set(
      accepted.flatMap((vector) => {
        try {
          return [compiled(vector.pattern).engine];
        } catch {
          return [];
        }
      }),
    );
    expect(vectors.length).toBeGreaterThan(500);
    expect([...engines].sort()).toEqual(['js', 'linear', 'literal']);
  });

  it.each(vectors.filter((vector) => vector.go.error !== undefined).map((v) => [v.pattern, v.go.error] as const))(
    'refuses %j, which Go refuses (%s)',
    (pattern) => {
      expect(() => compiled(pattern)).toThrow(
        pattern.startsWith('\\p') ? RegexUnsupportedError : RegexSyntaxError,
      );
    },
  );

  // Go accepts these; this port refuses them rather than run them differently (see re2-syntax.ts).
  const REFUSED = new Set(['a)(b', 'a)|(b', '\\pL', '\\p{Greek}', '[\\pL]', '\\PL', '\\p{^Greek}']);

  it('refuses only the documented Go-valid patterns', () => {
    const refused = accepted.filter((vector) => {
      try {
        compiled(vector.pattern);
        return false;
      } catch (error) {
        expect(error).toBeInstanceOf(RegexUnsupportedError);
        return true;
      }
    });
    expect(refused.map((vector) => vector.pattern).sort()).toEqual([...REFUSED].sort());
  });

  it.each(accepted.filter((vector) => !REFUSED.has(vector.pattern)).map((v) => [v.pattern, v] as const))(
    '%j gives Go’s submatches in every engine',
    (_pattern, vector) => {
      const regex = compiled(vector.pattern);
      const parsed = parseRelabelRegex(vector.pattern);
      const linear = new LinearMatcher(parsed.root, parsed.captureCount);
      const analysis = new RegexAnalysis();
      // JavaScript's RegExp wherever it agrees with Go, whatever its cost (the facade may have chosen linear).
      const js = analysis.jsDivergence(parsed.root) === null ? new RegExp(toJsSource(parsed.root), 'u') : null;
      expect(regex.groupNames).toEqual(vector.go.names);
      const expected = vector.inputs.map((input, i) => {
        const groups = vector.go.matches?.[i] ?? null;
        return { input, groups, matches: groups !== null, linear: groups, pike: groups, js: js === null ? 'n/a' : groups };
      });
      const actual = vector.inputs.map((input) => ({
        input,
        groups: normalise(regex.exec(input)),
        matches: regex.test(input),
        linear: normalise(linear.exec(input)),
        pike: normalise(linear.execPike(input)),
        js: js === null ? 'n/a' : normalise(js.exec(input)),
      }));
      expect(actual).toEqual(expected);
    },
  );
});

describe('relabelling against Prometheus (testdata/go-relabel-vectors.json)', () => {
  const vectors = relabelVectors.cases as RelabelVector[];

  it('covers hundreds of configurations, most of them valid', () => {
    expect(vectors.length).toBeGreaterThan(300);
    expect(vectors.filter((vector) => vector.go.error === undefined).length).toBeGreaterThan(250);
  });

  it.each(vectors.map((vector, index) => [index, vector] as const))('case %i', (_index, vector) => {
    let compiled;
    try {
      compiled = compileRelabelConfigs(vector.configs);
    } catch (error) {
      if (!(error instanceof RelabelConfigError)) throw error;
      // Go stops at the first bad rule; the first issue here is the same rule, with Go's message.
      const first = error.issues[0];
      expect(vector.go.error).toBeDefined();
      expect(`rule ${first.rule}: ${first.message}`).toContain((vector.go.error ?? '').split(': expected')[0]);
      return;
    }
    expect(vector.go.error).toBeUndefined();
    vector.inputs.forEach((input, i) => {
      const expected = vector.go.outputs?.[i] ?? null;
      const actual = compiled.apply(input);
      // An empty label set is a dropped series here (see compile-relabel.ts).
      expect({ input, output: actual === null ? null : actual.map(({ name, value }) => ({ name, value })) }).toEqual({
        input,
        output: expected === null || expected.length === 0 ? null : expected,
      });
    });
  });
});

describe("Go's unicode case tables (testdata/go-case-fixture.json)", () => {
  it('were generated from the same Unicode version', () => {
    expect(caseFixture.unicodeVersion).toBe(GO_UNICODE_VERSION);
  });

  it('map every cased rune as unicode.ToUpper, ToLower and SimpleFold do', () => {
    const mismatches: string[] = [];
    for (const [rune, upper, lower, fold] of caseFixture.runes) {
      const actual = [goToUpperRune(rune), goToLowerRune(rune), goSimpleFold(rune)];
      if (actual.join() !== [upper, lower, fold].join()) mismatches.push(`U+${rune.toString(16)}: ${actual} ≠ ${[upper, lower, fold]}`);
    }
    expect(caseFixture.runes.length).toBeGreaterThan(2500);
    expect(mismatches).toEqual([]);
  });

  it('leave every other rune alone', () => {
    const cased = new Set(caseFixture.runes.map(([rune]) => rune));
    for (let rune = 0; rune <= 0x1ffff; rune++) {
      if (cased.has(rune)) continue;
      if (goToUpperRune(rune) !== rune || goToLowerRune(rune) !== rune || goSimpleFold(rune) !== rune) {
        throw new Error(`U+${rune.toString(16)} should map to itself`);
      }
    }
  });
});
