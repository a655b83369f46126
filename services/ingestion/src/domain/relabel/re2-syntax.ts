import { CharSet, MAX_RUNE } from './char-set';

// A parser for the regular-expression syntax of Go's regexp package (RE2 with Perl extensions, as
// regexp.Compile accepts it), written after go/src/regexp/syntax/parse.go. It resolves flags while
// parsing, so the tree it returns has plain semantics: (?i) becomes explicit case-folded rune sets,
// (?s)/(?-s) the set '.' stands for, (?m) line or text anchors, (?U) the greediness of each repeat.
// What both engines (JavaScript RegExp and the linear matcher) then run is that tree.

export type Assertion = 'beginText' | 'endText' | 'beginLine' | 'endLine' | 'wordBoundary' | 'noWordBoundary';

/** Go's Op for repetitions: x*, x+, x? and x{n,m}; they compile differently (see linear-matcher.ts). */
export type RepeatOp = 'star' | 'plus' | 'quest' | 'repeat';

export type RegexNode =
  /** One rune from the set: a literal (with its case-folding orbit under (?i)), a class, or '.'. */
  | { readonly kind: 'rune'; readonly set: CharSet }
  | { readonly kind: 'assert'; readonly assertion: Assertion }
  | { readonly kind: 'empty' }
  | { readonly kind: 'capture'; readonly index: number; readonly name: string; readonly child: RegexNode }
  | { readonly kind: 'concat'; readonly children: readonly RegexNode[] }
  | { readonly kind: 'alternate'; readonly children: readonly RegexNode[] }
  | {
      readonly kind: 'repeat';
      readonly op: RepeatOp;
      readonly min: number;
      /** -1: unbounded. */
      readonly max: number;
      readonly greedy: boolean;
      readonly child: RegexNode;
    };

export interface ParsedRegex {
  readonly root: RegexNode;
  /** Capturing groups, numbered from 1 in the order of their '(' as in Go and JavaScript. */
  readonly captureCount: number;
  /** Name of each group by index ('' for unnamed; index 0 is the whole match). Go allows duplicates. */
  readonly groupNames: readonly string[];
}

/** The pattern is not valid Go regexp syntax: Prometheus would refuse it too. Messages follow Go's. */
export class RegexSyntaxError extends Error {
  constructor(
    readonly code: string,
    readonly expr: string,
  ) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
    this.name = 'RegexSyntaxError';
  }
}

/** Valid Go syntax this port will not run, because it cannot promise Go's exact behaviour. */
export class RegexUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegexUnsupportedError';
  }
}

const MAX_REPEAT = 1000; // Go's limit on a single {n,m} and on nested counted repetitions
const MAX_NESTING = 1000; // Go's maxHeight
const NEWLINE = 0x0a;
/** {n}, {n,} or {n,m} without leading zeros (parse.go parseRepeat); anything else makes '{' a literal. */
const REPEAT_COUNT = /\{(0|[1-9][0-9]*)(?:(,)(0|[1-9][0-9]*)?)?\}/y;

interface Flags {
  readonly foldCase: boolean;
  readonly dotNL: boolean;
  /** ^ and $ match at text boundaries only (Go's OneLine); (?m) clears it. */
  readonly oneLine: boolean;
  /** (?U): greedy and lazy swap meaning. */
  readonly nonGreedy: boolean;
}

// perl_groups.go
const PERL_GROUPS: Record<string, { readonly negated: boolean; readonly ranges: readonly number[] }> = {
  d: { negated: false, ranges: [0x30, 0x39] },
  D: { negated: true, ranges: [0x30, 0x39] },
  s: { negated: false, ranges: [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20] },
  S: { negated: true, ranges: [0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x20] },
  w: { negated: false, ranges: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a] },
  W: { negated: true, ranges: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a] },
};

const POSIX_GROUPS: Record<string, readonly number[]> = {
  alnum: [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
  alpha: [0x41, 0x5a, 0x61, 0x7a],
  ascii: [0x00, 0x7f],
  blank: [0x09, 0x09, 0x20, 0x20],
  cntrl: [0x00, 0x1f, 0x7f, 0x7f],
  digit: [0x30, 0x39],
  graph: [0x21, 0x7e],
  lower: [0x61, 0x7a],
  print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e],
  space: [0x09, 0x0d, 0x20, 0x20],
  upper: [0x41, 0x5a],
  word: [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a],
  xdigit: [0x30, 0x39, 0x41, 0x46, 0x61, 0x66],
};

/**
 * Parses `pattern` as Prometheus compiles a relabel regex: `^(?s:pattern)$` with Go's Perl flags.
 * The anchors and the (?s) group are part of the returned tree.
 */
export function parseRelabelRegex(pattern: string): ParsedRegex {
  return new Parser(pattern).parseAnchored();
}

class Parser {
  pos = 0;
  flags: Flags = { foldCase: false, dotNL: true, oneLine: true, nonGreedy: false };
  private readonly groupNames: string[] = [''];
  private depth = 0;

  constructor(readonly src: string) {}

  parseAnchored(): ParsedRegex {
    const body = this.parseAlternation();
    if (this.pos < this.src.length) {
      // A ')' without '(' closes Prometheus' (?s: group early. Go then rejects the whole (`a)` leaves the
      // final ')' unmatched) or accepts something else: `a)|(b` is `^(?s:a)|(b)$`, an unanchored search.
      const wrapped = new Parser(`^(?s:${this.src})$`);
      wrapped.flags = { ...wrapped.flags, dotNL: false };
      wrapped.parseAlternation();
      if (wrapped.pos < wrapped.src.length) throw new RegexSyntaxError('unexpected )', wrapped.src);
      throw new RegexUnsupportedError(
        `the ')' at offset ${this.pos} has no '(' and would close Prometheus' anchoring group ^(?s:…)$`,
      );
    }
    const root: RegexNode = {
      kind: 'concat',
      children: [{ kind: 'assert', assertion: 'beginText' }, body, { kind: 'assert', assertion: 'endText' }],
    };
    return { root, captureCount: this.groupNames.length - 1, groupNames: this.groupNames };
  }

  // --- structure -----------------------------------------------------------------------------------

  parseAlternation(): RegexNode {
    if (++this.depth > MAX_NESTING) throw new RegexSyntaxError('expression nests too deeply', this.src);
    const branches = [this.parseConcat()];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.parseConcat());
    }
    this.depth--;
    return branches.length === 1 ? branches[0] : { kind: 'alternate', children: branches };
  }

  private parseConcat(): RegexNode {
    const items: RegexNode[] = [];
    let lastRepeat = ''; // the text of the repetition operator just parsed, for Go's a** check
    while (this.pos < this.src.length) {
      const start = this.pos;
      const c = this.src[this.pos];
      if (c === '|' || c === ')') break;
      let repeat = '';
      switch (c) {
        case '(':
          this.parseGroup(items);
          break;
        case '^':
          this.pos++;
          items.push({ kind: 'assert', assertion: this.flags.oneLine ? 'beginText' : 'beginLine' });
          break;
        case '$':
          this.pos++;
          items.push({ kind: 'assert', assertion: this.flags.oneLine ? 'endText' : 'endLine' });
          break;
        case '.':
          this.pos++;
          items.push({ kind: 'rune', set: this.flags.dotNL ? CharSet.ALL : CharSet.of(NEWLINE).complement() });
          break;
        case '[':
          items.push({ kind: 'rune', set: this.parseClass() });
          break;
        case '*':
        case '+':
        case '?': {
          this.pos++;
          const op = c === '*' ? 'star' : c === '+' ? 'plus' : 'quest';
          this.applyRepeat(items, op, op === 'plus' ? 1 : 0, op === 'quest' ? 1 : -1, start, lastRepeat);
          repeat = this.src.slice(start, this.pos);
          break;
        }
        case '{': {
          const counted = this.tryParseRepeatCount();
          if (counted === null) {
            this.pos++;
            items.push(this.literal(0x7b)); // not a repeat: '{' is a literal
            break;
          }
          const { min, max } = counted;
          if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
            throw new RegexSyntaxError('invalid repeat count', this.src.slice(start, this.pos));
          }
          this.applyRepeat(items, 'repeat', min, max, start, lastRepeat);
          const node = items[items.length - 1];
          if ((min >= 2 || max >= 2) && !repeatIsValid(node, MAX_REPEAT)) {
            throw new RegexSyntaxError('invalid repeat count', this.src.slice(start, this.pos));
          }
          repeat = this.src.slice(start, this.pos);
          break;
        }
        case '\\':
          this.parseBackslash(items);
          break;
        default:
          items.push(this.literal(this.nextRune()));
      }
      lastRepeat = repeat;
    }
    if (items.length === 0) return { kind: 'empty' };
    return items.length === 1 ? items[0] : { kind: 'concat', children: items };
  }

  private applyRepeat(items: RegexNode[], op: RepeatOp, min: number, max: number, start: number, lastRepeat: string): void {
    let greedy = !this.flags.nonGreedy;
    if (this.peek() === '?') {
      this.pos++;
      greedy = !greedy;
    }
    if (lastRepeat !== '') {
      throw new RegexSyntaxError('invalid nested repetition operator', lastRepeat + this.src.slice(start, this.pos));
    }
    const child = items.pop();
    if (child === undefined) {
      throw new RegexSyntaxError('missing argument to repetition operator', this.src.slice(start, this.pos));
    }
    items.push({ kind: 'repeat', op, min, max, greedy, child });
  }

  /** {n}, {n,} or {n,m} at pos (advancing past it), or null (pos unchanged) when '{' is a literal. */
  private tryParseRepeatCount(): { min: number; max: number } | null {
    REPEAT_COUNT.lastIndex = this.pos;
    const match = REPEAT_COUNT.exec(this.src);
    if (match === null) return null;
    this.pos += match[0].length;
    const parse = (digits: string): number => (digits.length > 8 ? -1 : Number(digits)); // Go: -1 past 1e8
    const min = parse(match[1]);
    if (match[2] === undefined) return { min, max: min };
    if (match[3] === undefined) return { min, max: -1 };
    const max = parse(match[3]);
    return max < 0 ? { min: -1, max } : { min, max };
  }

  private parseGroup(items: RegexNode[]): void {
    const start = this.pos;
    const rest = this.src.slice(this.pos);
    if (rest.startsWith('(?')) {
      const startsWithP = rest.length > 4 && rest[2] === 'P' && rest[3] === '<';
      const startsWithName = rest.length > 3 && rest[2] === '<';
      if (startsWithP || startsWithName) {
        const end = rest.indexOf('>');
        if (end < 0) throw new RegexSyntaxError('invalid named capture', rest);
        const name = rest.slice(startsWithP ? 4 : 3, end);
        if (!/^[A-Za-z0-9_]+$/.test(name)) throw new RegexSyntaxError('invalid named capture', rest.slice(0, end + 1));
        this.pos += end + 1;
        items.push(this.parseCapture(name, start));
        return;
      }
      this.parseFlags(items, start);
      return;
    }
    this.pos++;
    items.push(this.parseCapture('', start));
  }

  private parseCapture(name: string, start: number): RegexNode {
    const index = this.groupNames.length;
    this.groupNames.push(name);
    const child = this.parseGroupBody(this.flags, start);
    return { kind: 'capture', index, name, child };
  }

  /** The group's contents and its ')', with `flags` inside and the current flags restored after. */
  private parseGroupBody(flags: Flags, start: number): RegexNode {
    const saved = this.flags;
    this.flags = flags;
    const child = this.parseAlternation();
    if (this.peek() !== ')') throw new RegexSyntaxError('missing closing )', this.src.slice(start));
    this.pos++;
    this.flags = saved;
    return child;
  }

  /** (?flags) changes the flags until the end of the current group; (?flags:re) groups re with them. */
  private parseFlags(items: RegexNode[], start: number): void {
    this.pos += 2;
    let { foldCase, dotNL, oneLine, nonGreedy } = this.flags;
    let negated = false;
    let sawFlag = false;
    while (this.pos < this.src.length) {
      const c = String.fromCodePoint(this.nextRune());
      const on = !negated;
      switch (c) {
        case 'i':
          foldCase = on;
          sawFlag = true;
          continue;
        case 'm':
          oneLine = !on;
          sawFlag = true;
          continue;
        case 's':
          dotNL = on;
          sawFlag = true;
          continue;
        case 'U':
          nonGreedy = on;
          sawFlag = true;
          continue;
        case '-':
          if (negated) break;
          negated = true;
          sawFlag = false;
          continue;
        case ':':
        case ')': {
          if (negated && !sawFlag) break;
          const flags = { foldCase, dotNL, oneLine, nonGreedy };
          if (c === ':') items.push(this.parseGroupBody(flags, start));
          else this.flags = flags;
          return;
        }
      }
      break;
    }
    throw new RegexSyntaxError('invalid or unsupported Perl syntax', this.src.slice(start, this.pos));
  }

  // --- escapes ------------------------------------------------------------------------------------

  private parseBackslash(items: RegexNode[]): void {
    const start = this.pos;
    const next = this.src[this.pos + 1];
    switch (next) {
      case 'A':
        this.pos += 2;
        items.push({ kind: 'assert', assertion: 'beginText' });
        return;
      case 'z':
        this.pos += 2;
        items.push({ kind: 'assert', assertion: 'endText' });
        return;
      case 'b':
        this.pos += 2;
        items.push({ kind: 'assert', assertion: 'wordBoundary' });
        return;
      case 'B':
        this.pos += 2;
        items.push({ kind: 'assert', assertion: 'noWordBoundary' });
        return;
      case 'C':
        throw new RegexSyntaxError('invalid escape sequence', '\\C');
      case 'Q': {
        const end = this.src.indexOf('\\E', this.pos + 2);
        // Unterminated, \Q would swallow the ')$' Prometheus appends, leaving its group unclosed.
        if (end < 0) throw new RegexSyntaxError('missing closing )', `^(?s:${this.src})$`);
        const text = this.src.slice(this.pos + 2, end);
        this.pos = end + 2;
        for (const char of text) items.push(this.literal(this.runeOf(char)));
        return;
      }
      case 'p':
      case 'P':
        this.refuseUnicodeClass();
        return;
    }
    const perl = this.tryPerlClass();
    if (perl !== null) {
      items.push({ kind: 'rune', set: perl });
      return;
    }
    this.pos = start;
    items.push(this.literal(this.parseEscape()));
  }

  private refuseUnicodeClass(): never {
    throw new RegexUnsupportedError(
      `Unicode class ${this.src.slice(this.pos, this.pos + 12)}… is not supported: ` +
        "Go's tables (Unicode 15.0) and this runtime's differ",
    );
  }

  /** \d \D \s \S \w \W at pos (advancing), case-folded under (?i) before negation as Go does, or null. */
  private tryPerlClass(): CharSet | null {
    const group = PERL_GROUPS[this.src[this.pos + 1] ?? ''];
    if (this.src[this.pos] !== '\\' || group === undefined) return null;
    this.pos += 2;
    return this.group(group.ranges, group.negated);
  }

  private group(ranges: readonly number[], negated: boolean): CharSet {
    let set = CharSet.fromRanges(ranges);
    if (this.flags.foldCase) set = set.caseFolded();
    return negated ? set.complement() : set;
  }

  /** One escaped rune (parse.go parseEscape), pos at the backslash. */
  private parseEscape(): number {
    const start = this.pos;
    this.pos++;
    if (this.pos >= this.src.length) throw new RegexSyntaxError('trailing backslash at end of expression', '');
    const c = this.nextRune();
    const fail = (): never => {
      throw new RegexSyntaxError('invalid escape sequence', this.src.slice(start, this.pos));
    };
    if (c >= 0x31 && c <= 0x37 && !isOctal(this.src[this.pos])) fail(); // \1-\7 alone: a backreference
    if (c >= 0x30 && c <= 0x37) {
      let rune = c - 0x30;
      for (let i = 1; i < 3 && isOctal(this.src[this.pos]); i++) rune = rune * 8 + (this.src.charCodeAt(this.pos++) - 0x30);
      return rune;
    }
    switch (c) {
      case 0x78: {
        // \x
        if (this.pos >= this.src.length) fail();
        const first = this.nextRune();
        if (first === 0x7b) {
          // \x{hex}
          let rune = 0;
          let digits = 0;
          for (;;) {
            if (this.pos >= this.src.length) fail();
            const d = this.nextRune();
            if (d === 0x7d) break;
            const v = unhex(d);
            if (v < 0) fail();
            rune = rune * 16 + v;
            if (rune > MAX_RUNE) fail();
            digits++;
          }
          if (digits === 0) fail();
          return rune;
        }
        if (this.pos >= this.src.length) fail();
        const x = unhex(first);
        const y = unhex(this.nextRune());
        if (x < 0 || y < 0) fail();
        return x * 16 + y;
      }
      case 0x61:
        return 0x07; // \a
      case 0x66:
        return 0x0c; // \f
      case 0x6e:
        return 0x0a; // \n
      case 0x72:
        return 0x0d; // \r
      case 0x74:
        return 0x09; // \t
      case 0x76:
        return 0x0b; // \v
    }
    if (c < 0x80 && !isAlnum(c)) return c; // escaped punctuation is itself
    return fail();
  }

  // --- classes ------------------------------------------------------------------------------------

  /** [...] at pos (parse.go parseClass): ranges folded under (?i), then negated for [^...]. */
  private parseClass(): CharSet {
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const pieces: CharSet[] = [];
    const ranges: number[] = [];
    let first = true; // ']' is a literal as the first character
    while (this.pos >= this.src.length || this.src[this.pos] !== ']' || first) {
      first = false;
      if (this.src.startsWith('[:', this.pos)) {
        const end = this.src.indexOf(':]', this.pos + 2);
        if (end >= 0) {
          const name = this.src.slice(this.pos + 2, end);
          const posixNegated = name.startsWith('^');
          const posix = POSIX_GROUPS[posixNegated ? name.slice(1) : name];
          if (posix === undefined) throw new RegexSyntaxError('invalid character class range', `[:${name}:]`);
          this.pos = end + 2;
          pieces.push(this.group(posix, posixNegated));
          continue;
        }
      }
      if (this.src[this.pos] === '\\' && (this.src[this.pos + 1] === 'p' || this.src[this.pos + 1] === 'P')) {
        this.refuseUnicodeClass();
      }
      const perl = this.tryPerlClass();
      if (perl !== null) {
        pieces.push(perl);
        continue;
      }
      const rangeStart = this.pos;
      const lo = this.parseClassChar(start);
      let hi = lo;
      if (this.src[this.pos] === '-' && this.pos + 1 < this.src.length && this.src[this.pos + 1] !== ']') {
        this.pos++;
        hi = this.parseClassChar(start);
        if (hi < lo) throw new RegexSyntaxError('invalid character class range', this.src.slice(rangeStart, this.pos));
      }
      ranges.push(lo, hi);
    }
    this.pos++; // ]
    let set = CharSet.fromRanges(ranges);
    if (this.flags.foldCase) set = set.caseFolded();
    for (const piece of pieces) set = set.union(piece);
    return negated ? set.complement() : set;
  }

  private parseClassChar(classStart: number): number {
    if (this.pos >= this.src.length) throw new RegexSyntaxError('missing closing ]', this.src.slice(classStart));
    return this.src[this.pos] === '\\' ? this.parseEscape() : this.nextRune();
  }

  // --- runes --------------------------------------------------------------------------------------

  private literal(rune: number): RegexNode {
    const set = CharSet.of(rune);
    return { kind: 'rune', set: this.flags.foldCase ? set.caseFolded() : set };
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private nextRune(): number {
    const rune = this.src.codePointAt(this.pos) as number;
    if (rune >= 0xd800 && rune <= 0xdfff) throw new RegexSyntaxError('invalid UTF-8', this.src.slice(this.pos));
    this.pos += rune > 0xffff ? 2 : 1;
    return rune;
  }

  private runeOf(char: string): number {
    const rune = char.codePointAt(0) as number;
    if (rune >= 0xd800 && rune <= 0xdfff) throw new RegexSyntaxError('invalid UTF-8', char);
    return rune;
  }
}

/** parse.go repeatIsValid: nested counted repetitions may not multiply past `limit` copies. */
function repeatIsValid(node: RegexNode, limit: number): boolean {
  if (node.kind === 'repeat' && node.op === 'repeat') {
    let m = node.max;
    if (m === 0) return true;
    if (m < 0) m = node.min;
    if (m > limit) return false;
    if (m > 0) limit = Math.trunc(limit / m);
  }
  switch (node.kind) {
    case 'capture':
    case 'repeat':
      return repeatIsValid(node.child, limit);
    case 'concat':
    case 'alternate':
      return node.children.every((child) => repeatIsValid(child, limit));
    default:
      return true;
  }
}

function isOctal(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '7';
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function unhex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}
