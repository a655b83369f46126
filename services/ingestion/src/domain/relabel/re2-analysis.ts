import { CharSet } from './char-set';
import type { RegexNode } from './re2-syntax';

// Static analysis of a parsed regex: which engine may run it.
//
// JavaScript's backtracking RegExp runs a pattern only when (1) it would give Go's exact result and
// (2) its worst-case backtracking is bounded. Otherwise the linear-time matcher runs it.
//
// (1) JavaScript differs from Go (RE2) in two places, both inside repetitions:
//   - captures inside a repeated group are reset at each iteration in JavaScript, kept in Go:
//     ((a)|b)+ on "ab" gives $2 = undefined in JavaScript, "a" in Go;
//   - a repeated subexpression that can match empty: JavaScript refuses empty iterations past the
//     minimum, Go prefers them by priority ((?:|a)?(a*) on "a" gives $1 = "" in JavaScript, "a" in Go).
// (2) Backtracking work is estimated as the number of steps a failing match may take on an input of a
//     given length: each ambiguous choice multiplies the paths that reach what follows it, so .*;.*x is
//     quadratic and .*.*.*x cubic, and a repetition whose body can itself match in two ways is
//     exponential (an infinite estimate, whatever the length). A choice is not ambiguous when the next
//     character decides it — the characters that can start each option are disjoint, as in [^;]*; or
//     \d+\. — and a final (.*) ends the search at the first path that reaches it. The estimate is an
//     upper bound up to a constant factor, and grows with the length; relabel-regex.ts finds the longest
//     input that fits its budget and gives longer ones to the linear matcher.

export interface NodeInfo {
  readonly nullable: boolean;
  readonly minWidth: number;
  /** Characters that can start a non-empty match. */
  readonly first: CharSet;
}

/** What may follow a node: characters, and whether the end of input may. */
interface Follow {
  readonly set: CharSet;
  readonly end: boolean;
}

export class RegexAnalysis {
  private readonly infos = new Map<RegexNode, NodeInfo>();

  info(node: RegexNode): NodeInfo {
    let info = this.infos.get(node);
    if (info === undefined) {
      info = this.compute(node);
      this.infos.set(node, info);
    }
    return info;
  }

  private compute(node: RegexNode): NodeInfo {
    switch (node.kind) {
      case 'rune':
        return { nullable: false, minWidth: 1, first: node.set };
      case 'assert':
      case 'empty':
        return { nullable: true, minWidth: 0, first: CharSet.EMPTY };
      case 'capture':
        return this.info(node.child);
      case 'concat': {
        let nullable = true;
        let minWidth = 0;
        let first = CharSet.EMPTY;
        for (const child of node.children) {
          const info = this.info(child);
          if (nullable) first = first.union(info.first);
          nullable = nullable && info.nullable;
          minWidth += info.minWidth;
        }
        return { nullable, minWidth, first };
      }
      case 'alternate': {
        const infos = node.children.map((child) => this.info(child));
        return {
          nullable: infos.some((info) => info.nullable),
          minWidth: Math.min(...infos.map((info) => info.minWidth)),
          first: infos.reduce((set, info) => set.union(info.first), CharSet.EMPTY),
        };
      }
      case 'repeat': {
        if (node.max === 0) return { nullable: true, minWidth: 0, first: CharSet.EMPTY };
        const child = this.info(node.child);
        return { nullable: node.min === 0 || child.nullable, minWidth: node.min * child.minWidth, first: child.first };
      }
    }
  }

  /** The first reason JavaScript would not give Go's result, or null. */
  jsDivergence(node: RegexNode, insideLoop = false): string | null {
    switch (node.kind) {
      case 'capture':
        if (insideLoop) return 'a capturing group inside a repeated group';
        return this.jsDivergence(node.child, insideLoop);
      case 'concat':
      case 'alternate':
        for (const child of node.children) {
          const reason = this.jsDivergence(child, insideLoop);
          if (reason !== null) return reason;
        }
        return null;
      case 'repeat': {
        if (node.max === 0) return null;
        const variable = node.max < 0 || node.max > node.min;
        if (variable && this.info(node.child).nullable) return 'a repetition of a subexpression that can match empty';
        const repeats = node.max < 0 || node.max > 1;
        // The repeated group itself keeps its last iteration in both engines; groups inside it do not.
        const child = node.child.kind === 'capture' ? node.child.child : node.child;
        return this.jsDivergence(child, insideLoop || repeats);
      }
      default:
        return null;
    }
  }

  /**
   * Estimated worst-case backtracking steps of a full match on an input of `maxInputLength` code units
   * (Infinity for exponential patterns).
   */
  backtrackingBound(root: RegexNode, maxInputLength: number): number {
    const walker = new BoundWalker(this, Math.max(1, maxInputLength));
    walker.walk(root, 1, { set: CharSet.EMPTY, end: true }, 'end');
    return walker.work;
  }
}

/**
 * What the rest of the pattern after a node accepts: only the end of input ('end'), anything ('any':
 * e.g. a final (.*) — the first path to reach it succeeds, so the search stops there), or unknown.
 */
type Tail = 'end' | 'any' | 'other';

const SATURATED = 1e15;
const UNBOUNDED_LENGTH = 1 << 30;

class BoundWalker {
  work = 0;

  constructor(
    private readonly analysis: RegexAnalysis,
    private readonly length: number,
  ) {}

  /** Adds the work of entering `node` along `ways` distinct paths; returns the ways it can be left. */
  walk(node: RegexNode, ways: number, follow: Follow, tail: Tail): number {
    if (tail !== 'other' && isAbsorbing(node)) {
      // (.*) with nothing but the end after it: the first path to get here matches, in one scan.
      this.add(this.length + 1);
      return 1;
    }
    switch (node.kind) {
      case 'rune':
      case 'assert':
      case 'empty':
        this.add(ways);
        return ways;
      case 'capture':
        return this.walk(node.child, ways, follow, tail);
      case 'concat': {
        const follows = this.concatFollows(node.children, follow);
        const tails = concatTails(node.children, tail);
        node.children.forEach((child, i) => (ways = this.walk(child, ways, follows[i], tails[i])));
        return ways;
      }
      case 'alternate': {
        const outs = node.children.map((child) => this.walk(child, ways, follow, tail));
        const starts = node.children.map((child) => this.startSet(child, follow));
        return this.disjoint(starts) ? Math.max(...outs) : saturate(outs.reduce((a, b) => a + b, 0));
      }
      case 'repeat':
        return this.walkRepeat(node, ways, follow, tail);
    }
  }

  private walkRepeat(node: Extract<RegexNode, { kind: 'repeat' }>, ways: number, follow: Follow, tail: Tail): number {
    if (node.max === 0) {
      this.add(ways);
      return ways;
    }
    const child = this.analysis.info(node.child);
    if (node.max === 1) {
      if (node.min === 1) return this.walk(node.child, ways, follow, tail);
      const taken = this.walk(node.child, ways, follow, tail);
      const decided = !child.nullable && !child.first.intersects(follow.set);
      return decided ? Math.max(taken, ways) : saturate(taken + ways);
    }
    if (child.minWidth === 0) {
      this.work = Infinity; // an empty iteration can repeat: not worth estimating (and not run by JS anyway)
      return ways;
    }
    const iterations = Math.min(node.max < 0 ? Infinity : node.max, Math.floor(this.length / child.minWidth));
    // The body must be unambiguous on its own, given what may follow it (another iteration or the rest).
    // Judged for any input length: a body that can match in two ways is exponential, even where the
    // length at hand leaves room for one iteration only.
    const bodyFollow = { set: follow.set.union(child.first), end: follow.end };
    if (new BoundWalker(this.analysis, UNBOUNDED_LENGTH).walk(node.child, 1, bodyFollow, 'other') > 1) {
      this.work = Infinity;
      return ways;
    }
    const before = this.work;
    this.work = 0;
    this.walk(node.child, 1, bodyFollow, 'other');
    const bodyWork = Math.max(1, this.work);
    this.work = before;
    this.add(ways * (iterations + 1) * bodyWork);
    const exits = Math.max(1, iterations - node.min + 1);
    return child.first.intersects(follow.set) ? saturate(ways * exits) : ways;
  }

  /** Characters that can start a match of `node` or, if it can be empty, of what follows it. */
  private startSet(node: RegexNode, follow: Follow): Follow {
    const info = this.analysis.info(node);
    return info.nullable ? { set: info.first.union(follow.set), end: follow.end } : { set: info.first, end: false };
  }

  private disjoint(starts: readonly Follow[]): boolean {
    let ends = 0;
    for (let i = 0; i < starts.length; i++) {
      if (starts[i].end && ++ends > 1) return false;
      for (let j = i + 1; j < starts.length; j++) if (starts[i].set.intersects(starts[j].set)) return false;
    }
    return true;
  }

  private concatFollows(children: readonly RegexNode[], follow: Follow): Follow[] {
    const follows: Follow[] = new Array(children.length);
    let next = follow;
    for (let i = children.length - 1; i >= 0; i--) {
      follows[i] = next;
      next = this.startSet(children[i], next);
    }
    return follows;
  }

  private add(amount: number): void {
    this.work = saturate(this.work + amount);
  }
}

/** A star over every rune, possibly in groups: it can take whatever is left. */
function isAbsorbing(node: RegexNode): boolean {
  while (node.kind === 'capture') node = node.child;
  return node.kind === 'repeat' && node.op === 'star' && node.child.kind === 'rune' && node.child.set.isAll;
}

/** The tail after each child of a concatenation followed by `tail`. */
function concatTails(children: readonly RegexNode[], tail: Tail): Tail[] {
  const tails: Tail[] = new Array(children.length);
  let next = tail;
  for (let i = children.length - 1; i >= 0; i--) {
    tails[i] = next;
    const child = children[i];
    const endAssertion = child.kind === 'assert' && (child.assertion === 'endText' || child.assertion === 'endLine');
    if (next !== 'other' && isAbsorbing(child)) next = 'any';
    else if (next !== 'other' && endAssertion) next = 'end';
    else if (child.kind !== 'empty') next = 'other';
  }
  return tails;
}

function saturate(value: number): number {
  return value > SATURATED ? Infinity : value;
}
