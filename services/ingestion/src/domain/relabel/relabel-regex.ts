import { LinearMatcher, ProgramTooLargeError } from './linear-matcher';
import { RegexAnalysis } from './re2-analysis';
import { toJsSource } from './re2-js';
import { parseRelabelRegex, RegexUnsupportedError, type RegexNode } from './re2-syntax';

// A relabel `regex` compiled as Prometheus compiles it (Go regexp, `^(?s:regex)$`), run by:
//   'literal' – the default (.*), a literal, or an alternation of literals: no regex engine to test;
//   'js'      – JavaScript's RegExp, when it gives Go's result and its estimated backtracking for the
//               input at hand stays within budget; longer inputs go to the linear matcher;
//   'linear'  – linear-matcher.ts: Go's own algorithms, in O(input × program) time.
//
// Every pattern Go accepts runs with Go's semantics (re2-syntax.ts resolves flags, case folding and
// classes with Go's definitions and tables), except three, refused with RegexUnsupportedError:
//   - Unicode classes \p{…} / \P{…}: Go's tables are Unicode 15.0, this runtime's differ;
//   - a ')' without '(' that would close Prometheus' (?s: group (`a)|(b` is an unanchored search in Go);
//   - a pattern needing more than MAX_PROGRAM_SIZE instructions in the linear matcher, when some input
//     may need that matcher (bounds its worst-case time).

export type RegexEngine = 'literal' | 'js' | 'linear';

export interface RelabelRegex {
  /** The pattern as configured (without Prometheus' anchoring). */
  readonly pattern: string;
  readonly engine: RegexEngine;
  /**
   * Longest input (code units) JavaScript's RegExp is given; longer ones go to the linear matcher.
   * Infinity when the pattern's backtracking is linear, 0 when JavaScript is never used.
   */
  readonly jsMaxInputLength: number;
  /** Group names by index, '' for unnamed (Go allows repeated names). */
  readonly groupNames: readonly string[];
  test(input: string): boolean;
  /** Each group's text (undefined when it did not take part), or null when the input does not match. */
  exec(input: string): readonly (string | undefined)[] | null;
}

export interface RelabelRegexOptions {
  /** Largest estimated backtracking work allowed to JavaScript's RegExp for one match. */
  readonly maxBacktrackingWork?: number;
}

/** ~1M steps: about a millisecond of V8's irregexp in the worst case. */
export const DEFAULT_MAX_BACKTRACKING_WORK = 1 << 20;

export { RegexSyntaxError, RegexUnsupportedError } from './re2-syntax';

/** Compiles `pattern`; throws RegexSyntaxError (invalid for Go too) or RegexUnsupportedError. */
export function compileRelabelRegex(pattern: string, options: RelabelRegexOptions = {}): RelabelRegex {
  const parsed = parseRelabelRegex(pattern);
  const { root, groupNames } = parsed;
  const body = (root as Extract<RegexNode, { kind: 'concat' }>).children[1];
  if (isCaptureOfEverything(body)) {
    // The default regex (.*): every input matches whole, as group 1 too.
    const exec = (input: string): string[] => [input, input];
    return { pattern, engine: 'literal', jsMaxInputLength: 0, groupNames, test: () => true, exec };
  }
  const analysis = new RegexAnalysis();
  const jsMaxInputLength =
    analysis.jsDivergence(root) === null
      ? longestAffordableInput(analysis, root, options.maxBacktrackingWork ?? DEFAULT_MAX_BACKTRACKING_WORK)
      : 0;
  const buildLinear = (): Matcher => {
    try {
      return new LinearMatcher(root, parsed.captureCount);
    } catch (error) {
      if (error instanceof ProgramTooLargeError) throw new RegexUnsupportedError(error.message);
      throw error;
    }
  };
  // The linear matcher is built only when some input may need it (its size is bounded).
  const linear = jsMaxInputLength === Infinity ? null : buildLinear();
  const js = jsMaxInputLength > 0 ? JsMatcher.tryCreate(root, linear) : null;
  const matcher = chooseMatcher(js, jsMaxInputLength, linear, buildLinear);
  const literals = literalAlternatives(body);
  return {
    pattern,
    engine: literals !== null ? 'literal' : js !== null ? 'js' : 'linear',
    jsMaxInputLength: js !== null ? jsMaxInputLength : 0,
    groupNames,
    test: literals === null ? (input) => matcher.test(input) : (input) => literals.has(input),
    exec: literals === null ? (input) => matcher.exec(input) : (input) => (literals.has(input) ? matcher.exec(input) : null),
  };
}

/** JavaScript up to its length limit, the linear matcher beyond (or for everything, without JavaScript). */
function chooseMatcher(
  js: Matcher | null,
  jsMaxInputLength: number,
  linear: Matcher | null,
  buildLinear: () => Matcher,
): Matcher {
  if (js === null) return linear ?? buildLinear(); // V8 refused the translation: linear whatever the size
  if (linear === null) return js;
  return {
    test: (input) => (input.length <= jsMaxInputLength ? js.test(input) : linear.test(input)),
    exec: (input) => (input.length <= jsMaxInputLength ? js.exec(input) : linear.exec(input)),
  };
}

/** The longest input whose estimated backtracking fits the budget (the estimate grows with the length). */
function longestAffordableInput(analysis: RegexAnalysis, root: RegexNode, budget: number): number {
  const fits = (length: number): boolean => analysis.backtrackingBound(root, length) <= budget;
  const CEILING = 1 << 30;
  if (fits(CEILING)) return Infinity;
  if (!fits(1)) return 0;
  let lo = 1; // fits
  let hi = CEILING; // does not
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

interface Matcher {
  test(input: string): boolean;
  exec(input: string): (string | undefined)[] | null;
}

/** (.*) as Prometheus' default regex parses: a capture of a greedy star over every rune. */
function isCaptureOfEverything(body: RegexNode): boolean {
  if (body.kind !== 'capture' || body.index !== 1) return false;
  const star = body.child;
  return star.kind === 'repeat' && star.op === 'star' && star.greedy && star.child.kind === 'rune' && star.child.set.isAll;
}

class JsMatcher implements Matcher {
  private constructor(
    private readonly regexp: RegExp,
    private readonly fallback: Matcher | null,
  ) {}

  /** Null if V8 refuses the translation (not expected: the fuzz specs look for it). */
  static tryCreate(root: RegexNode, fallback: Matcher | null): JsMatcher | null {
    try {
      return new JsMatcher(new RegExp(toJsSource(root), 'u'), fallback);
    } catch {
      return null;
    }
  }

  // irregexp can throw (its backtracking stack is bounded); the linear matcher then answers.
  test(input: string): boolean {
    try {
      return this.regexp.test(input);
    } catch (error) {
      if (this.fallback === null) throw error;
      return this.fallback.test(input);
    }
  }

  exec(input: string): (string | undefined)[] | null {
    try {
      return this.regexp.exec(input);
    } catch (error) {
      if (this.fallback === null) throw error;
      return this.fallback.exec(input);
    }
  }
}

/**
 * The strings matched by a pattern made of literals and alternations of literals only (e.g.
 * `id|name|image` or `^(?:up|scrape_samples_scraped)$`), or null. Captures do not matter for testing.
 */
function literalAlternatives(body: RegexNode): Set<string> | null {
  const out = new Set<string>();
  const collect = (node: RegexNode, prefixes: string[]): string[] | null => {
    switch (node.kind) {
      case 'assert':
        return null;
      case 'empty':
        return prefixes;
      case 'rune': {
        const rune = node.set.singleRune;
        if (rune < 0) return null;
        const char = String.fromCodePoint(rune);
        return prefixes.map((prefix) => prefix + char);
      }
      case 'capture':
        return collect(node.child, prefixes);
      case 'concat': {
        let current: string[] | null = prefixes;
        for (const child of node.children) {
          current = current === null ? null : collect(child, current);
        }
        return current;
      }
      case 'alternate': {
        const all: string[] = [];
        for (const child of node.children) {
          const strings = collect(child, prefixes);
          if (strings === null || all.length + strings.length > 10_000) return null;
          all.push(...strings);
        }
        return all;
      }
      case 'repeat':
        return null;
    }
  };
  const strings = collect(withoutRedundantAnchors(body), ['']);
  if (strings === null) return null;
  for (const text of strings) out.add(text);
  return out;
}

/** Drops ^ at the start and $ at the end of the pattern or of its top-level branches (always true there). */
function withoutRedundantAnchors(body: RegexNode): RegexNode {
  const strip = (node: RegexNode): RegexNode => {
    if (node.kind !== 'concat') return isAnchor(node) ? { kind: 'empty' } : node;
    let children = node.children;
    while (children.length > 0 && isAnchor(children[0], 'beginText')) children = children.slice(1);
    while (children.length > 0 && isAnchor(children[children.length - 1], 'endText')) children = children.slice(0, -1);
    return { kind: 'concat', children };
  };
  const unwrapped = strip(body);
  if (unwrapped.kind === 'alternate') return { kind: 'alternate', children: unwrapped.children.map(strip) };
  if (unwrapped.kind === 'concat' && unwrapped.children.length === 1 && unwrapped.children[0].kind === 'alternate') {
    return { kind: 'alternate', children: unwrapped.children[0].children.map(strip) };
  }
  return unwrapped;
}

function isAnchor(node: RegexNode, which?: 'beginText' | 'endText'): boolean {
  if (node.kind !== 'assert') return false;
  return which === undefined ? node.assertion === 'beginText' || node.assertion === 'endText' : node.assertion === which;
}
