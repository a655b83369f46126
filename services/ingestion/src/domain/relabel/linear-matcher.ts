import type { CharSet } from './char-set';
import { RegexAnalysis } from './re2-analysis';
import type { Assertion, RegexNode, RepeatOp } from './re2-syntax';

// Go's own linear-time engines over a program built the way Go builds it (regexp/syntax simplify.go +
// compile.go): same simplification of x{n,m}, same compilation of x* over an empty-matchable x as
// (x+)?. test() is the Pike VM (regexp/exec.go: Thompson NFA simulation, threads in priority order,
// a state entered once per step); exec() adds the bit-state backtracker (regexp/backtrack.go) for the
// groups. Go picks between the same engines and they agree by construction, so this reproduces Go's
// leftmost-first submatches — including where JavaScript's backtracking differs — in
// O(input length × program size) time whatever the pattern.

const RUNE = 0;
const SPLIT = 1; // out is preferred over arg
const SAVE = 2;
const ASSERT = 3;
const MATCH = 4;

const ASSERTION_CODES: Record<Assertion, number> = {
  beginText: 0,
  endText: 1,
  beginLine: 2,
  endLine: 3,
  wordBoundary: 4,
  noWordBoundary: 5,
};

/**
 * Matching costs up to (input length × program size) steps — about 5 ns each for test(), twice to three
 * times that for exec() — so programs are bounded: at 5,000 instructions a 4 KiB value costs at most
 * ~0.1 s to test and ~0.3 s to exec, for a pattern built to be slow. Typical relabel patterns compile to
 * under 200 instructions (microseconds). Go bounds its programs too (maxSize), far higher.
 */
export const MAX_PROGRAM_SIZE = 5_000;

export class ProgramTooLargeError extends Error {}

export class LinearMatcher {
  private readonly ops: Uint8Array;
  private readonly outs: Int32Array;
  private readonly args: Int32Array;
  private readonly sets: (CharSet | undefined)[];
  private readonly start: number;
  private readonly slots: number;
  // Reused between runs (matching is synchronous and never re-entrant).
  private readonly marks: Int32Array;
  private generation = 0;
  private readonly stackPcs: Int32Array;
  private readonly stackCaps: (Int32Array | null)[];
  private current: ThreadList;
  private next: ThreadList;
  private visited = new Uint32Array(0);

  constructor(root: RegexNode, captureCount: number) {
    const builder = new ProgramBuilder(new RegexAnalysis());
    const match = builder.emit(MATCH, 0, 0);
    this.start = builder.compile(simplify(root), match);
    this.ops = Uint8Array.from(builder.ops);
    this.outs = Int32Array.from(builder.outs);
    this.args = Int32Array.from(builder.args);
    this.sets = builder.sets;
    this.slots = 2 * (captureCount + 1);
    const size = this.ops.length;
    this.marks = new Int32Array(size);
    this.stackPcs = new Int32Array(size * 2 + 2);
    this.stackCaps = new Array<Int32Array | null>(size * 2 + 2).fill(null);
    this.current = new ThreadList(size);
    this.next = new ThreadList(size);
  }

  get programSize(): number {
    return this.ops.length;
  }

  test(input: string): boolean {
    return this.run(input, false) !== null;
  }

  /**
   * Every group's text (undefined for a group that did not take part), or null without a match. The
   * Pike VM first decides the match without tracking groups; the groups then come from Go's other
   * exact engine, the bit-state backtracker (regexp/backtrack.go), which visits each (instruction,
   * position) pair at most once and saves groups in O(1) — where the Pike VM copies them per thread.
   */
  exec(input: string): (string | undefined)[] | null {
    if (this.run(input, false) === null) return null;
    const caps = this.backtrack(input);
    if (caps === null) return null; // unreachable: both engines agree on whether there is a match
    const groups: (string | undefined)[] = new Array(this.slots / 2);
    groups[0] = input; // the program is anchored at both ends: the match is the whole input
    for (let g = 1; g < groups.length; g++) {
      const from = caps[2 * g];
      const to = caps[2 * g + 1];
      groups[g] = from >= 0 && to >= 0 ? input.slice(from, to) : undefined;
    }
    return groups;
  }

  /** Pike VM with group tracking (kept for the specs, which compare it with the backtracker). */
  execPike(input: string): (string | undefined)[] | null {
    const caps = this.run(input, true);
    if (caps === null) return null;
    const groups: (string | undefined)[] = new Array(this.slots / 2);
    groups[0] = input;
    for (let g = 1; g < groups.length; g++) {
      const from = caps[2 * g];
      const to = caps[2 * g + 1];
      groups[g] = from >= 0 && to >= 0 ? input.slice(from, to) : undefined;
    }
    return groups;
  }

  /** backtrack.go tryBacktrack from position 0, first match: the groups of the highest-priority path. */
  private backtrack(input: string): Int32Array | null {
    const length = input.length;
    const width = length + 1;
    const words = Math.ceil((this.ops.length * width) / 32);
    let visited = this.visited;
    if (words > SMALL_VISITED_WORDS) visited = new Uint32Array(words); // large: not kept after the call
    else if (visited.length === 0) visited = this.visited = new Uint32Array(SMALL_VISITED_WORDS);
    else visited.fill(0, 0, words);
    const visit = (pc: number, pos: number): boolean => {
      const n = pc * width + pos;
      const bit = 1 << (n & 31);
      if ((visited[n >>> 5] & bit) !== 0) return false;
      visited[n >>> 5] |= bit;
      return true;
    };
    const caps = new Int32Array(this.slots).fill(-1);
    const jobPcs: number[] = [];
    const jobPositions: number[] = [];
    const jobArgs: boolean[] = [];
    const push = (pc: number, pos: number, arg: boolean): void => {
      jobPcs.push(pc);
      jobPositions.push(pos);
      jobArgs.push(arg);
    };
    if (visit(this.start, 0)) push(this.start, 0, false);
    while (jobPcs.length > 0) {
      let pc = jobPcs.pop() as number;
      let pos = jobPositions.pop() as number;
      let arg = jobArgs.pop() as boolean;
      let check = false; // a popped job was checked when pushed
      for (;;) {
        if (check && !visit(pc, pos)) break;
        check = true;
        const op = this.ops[pc];
        if (op === SPLIT) {
          if (arg) {
            arg = false; // the preferred branch is done: now the other
            pc = this.args[pc];
          } else {
            push(pc, pos, true);
            pc = this.outs[pc];
          }
        } else if (op === RUNE) {
          if (pos >= length) break;
          const rune = input.codePointAt(pos) as number;
          if (!(this.sets[pc] as CharSet).has(rune)) break;
          pos += rune > 0xffff ? 2 : 1;
          pc = this.outs[pc];
        } else if (op === SAVE) {
          const slot = this.args[pc];
          if (arg) {
            caps[slot] = pos; // restoring the value saved before this path: `pos` holds it
            break;
          }
          push(pc, caps[slot], true);
          caps[slot] = pos;
          pc = this.outs[pc];
        } else if (op === ASSERT) {
          const next = pos < length ? (input.codePointAt(pos) as number) : -1;
          if (!assertionHolds(this.args[pc], runeBefore(input, pos), next)) break;
          pc = this.outs[pc];
        } else {
          return caps; // MATCH: only reachable at the end
        }
      }
    }
    return null;
  }

  private run(input: string, wantCaps: boolean): Int32Array | null {
    let clist = this.current;
    let nlist = this.next;
    clist.clear();
    let pos = 0;
    let prev = -1;
    let rune = input.length > 0 ? (input.codePointAt(0) as number) : -1;
    const initial = wantCaps ? new Int32Array(this.slots).fill(-1) : null;
    this.nextGeneration();
    this.addThread(clist, this.start, initial, pos, prev, rune);
    let matched: Int32Array | null = null;
    for (;;) {
      if (clist.count === 0) break;
      const width = rune > 0xffff ? 2 : 1;
      const nextPos = pos + width;
      const nextRune = nextPos < input.length ? (input.codePointAt(nextPos) as number) : -1;
      nlist.clear();
      this.nextGeneration(); // states reached in this step, whichever thread reached them first
      for (let t = 0; t < clist.count; t++) {
        const pc = clist.pcs[t];
        const op = this.ops[pc];
        if (op === MATCH) {
          // Only reachable at the end (the program ends with $): the first such thread has priority.
          matched = clist.caps[t] ?? EMPTY_CAPS;
          break;
        }
        if (rune >= 0 && (this.sets[pc] as CharSet).has(rune)) {
          this.addThread(nlist, this.outs[pc], clist.caps[t], nextPos, rune, nextRune);
        }
      }
      if (matched !== null || rune < 0) break;
      const swap = clist;
      clist = nlist;
      nlist = swap;
      prev = rune;
      rune = nextRune;
      pos = nextPos;
    }
    return matched;
  }

  private nextGeneration(): void {
    if (this.generation === 0x7fffffff) {
      this.marks.fill(0); // the stamps would wrap: start again
      this.generation = 0;
    }
    this.generation++;
  }

  /**
   * Follows empty transitions from pc in priority order (depth first, preferred branch first), appending
   * the rune and match states reached. A state already reached in this step by a higher-priority thread
   * is not entered again (exec.go m.add).
   */
  private addThread(list: ThreadList, pc: number, caps: Int32Array | null, pos: number, prev: number, rune: number): void {
    const generation = this.generation;
    const stackPcs = this.stackPcs;
    const stackCaps = this.stackCaps;
    let top = 0;
    stackPcs[top] = pc;
    stackCaps[top++] = caps;
    while (top > 0) {
      const at = stackPcs[--top];
      let threadCaps = stackCaps[top];
      stackCaps[top] = null;
      if (this.marks[at] === generation) continue;
      this.marks[at] = generation;
      switch (this.ops[at]) {
        case SPLIT:
          stackPcs[top] = this.args[at];
          stackCaps[top++] = threadCaps;
          stackPcs[top] = this.outs[at];
          stackCaps[top++] = threadCaps;
          break;
        case SAVE:
          if (threadCaps !== null) {
            threadCaps = threadCaps.slice();
            threadCaps[this.args[at]] = pos;
          }
          stackPcs[top] = this.outs[at];
          stackCaps[top++] = threadCaps;
          break;
        case ASSERT:
          if (assertionHolds(this.args[at], prev, rune)) {
            stackPcs[top] = this.outs[at];
            stackCaps[top++] = threadCaps;
          }
          break;
        default:
          list.push(at, threadCaps);
      }
    }
  }
}

const EMPTY_CAPS = new Int32Array(0);
/** Visited bitmaps up to 64K bits are kept between calls; larger ones are allocated per call. */
const SMALL_VISITED_WORDS = 2048;

function runeBefore(input: string, pos: number): number {
  if (pos === 0) return -1;
  const low = input.charCodeAt(pos - 1);
  if (low >= 0xdc00 && low <= 0xdfff && pos >= 2) {
    const high = input.charCodeAt(pos - 2);
    if (high >= 0xd800 && high <= 0xdbff) return ((high - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
  }
  return low;
}

/** The threads of one step, in priority order (each program state at most once). */
class ThreadList {
  readonly pcs: Int32Array;
  readonly caps: (Int32Array | null)[];
  count = 0;

  constructor(size: number) {
    this.pcs = new Int32Array(size);
    this.caps = new Array<Int32Array | null>(size).fill(null);
  }

  clear(): void {
    for (let i = 0; i < this.count; i++) this.caps[i] = null;
    this.count = 0;
  }

  push(pc: number, caps: Int32Array | null): void {
    this.pcs[this.count] = pc;
    this.caps[this.count++] = caps;
  }
}

function isWordRune(rune: number): boolean {
  return (
    (rune >= 0x30 && rune <= 0x39) || (rune >= 0x41 && rune <= 0x5a) || (rune >= 0x61 && rune <= 0x7a) || rune === 0x5f
  );
}

/** syntax.EmptyOpContext: prev/next are -1 at the text boundaries. */
function assertionHolds(code: number, prev: number, next: number): boolean {
  switch (code) {
    case 0:
      return prev < 0;
    case 1:
      return next < 0;
    case 2:
      return prev < 0 || prev === 0x0a;
    case 3:
      return next < 0 || next === 0x0a;
    case 4:
      return isWordRune(prev) !== isWordRune(next);
    default:
      return isWordRune(prev) === isWordRune(next);
  }
}

// --- simplify.go -----------------------------------------------------------------------------------

type RepeatNode = Extract<RegexNode, { kind: 'repeat' }>;

/** Go's Regexp.Simplify: counted repetitions become copies, stacked identical operators collapse. */
export function simplify(node: RegexNode): RegexNode {
  switch (node.kind) {
    case 'capture':
      return { ...node, child: simplify(node.child) };
    case 'concat':
    case 'alternate':
      return { ...node, children: node.children.map(simplify) };
    case 'repeat':
      return simplifyRepeat(node);
    default:
      return node;
  }
}

function simplifyRepeat(node: RepeatNode): RegexNode {
  if (node.op !== 'repeat') return simplify1(node.op, node.greedy, simplify(node.child));
  if (node.min === 0 && node.max === 0) return { kind: 'empty' };
  const sub = simplify(node.child);
  if (node.max === -1) {
    if (node.min === 0) return simplify1('star', node.greedy, sub);
    if (node.min === 1) return simplify1('plus', node.greedy, sub);
    const children: RegexNode[] = new Array<RegexNode>(node.min - 1).fill(sub);
    children.push(simplify1('plus', node.greedy, sub));
    return { kind: 'concat', children };
  }
  if (node.min === 1 && node.max === 1) return sub;
  const prefix: RegexNode[] = new Array<RegexNode>(node.min).fill(sub);
  if (node.max > node.min) {
    let suffix = simplify1('quest', node.greedy, sub);
    for (let i = node.min + 1; i < node.max; i++) {
      suffix = simplify1('quest', node.greedy, { kind: 'concat', children: [sub, suffix] });
    }
    prefix.push(suffix);
  }
  return prefix.length === 1 ? prefix[0] : { kind: 'concat', children: prefix };
}

function simplify1(op: RepeatOp, greedy: boolean, sub: RegexNode): RegexNode {
  if (sub.kind === 'empty') return sub; // repeating the empty string is the empty string
  if (sub.kind === 'repeat' && sub.op === op && sub.greedy === greedy) return sub; // x** is x*
  const min = op === 'plus' ? 1 : 0;
  return { kind: 'repeat', op, min, max: op === 'quest' ? 1 : -1, greedy, child: sub };
}

// --- compile.go --------------------------------------------------------------------------------------

class ProgramBuilder {
  readonly ops: number[] = [];
  readonly outs: number[] = [];
  readonly args: number[] = [];
  readonly sets: (CharSet | undefined)[] = [];

  constructor(private readonly analysis: RegexAnalysis) {}

  emit(op: number, out: number, arg: number, set?: CharSet): number {
    if (this.ops.length >= MAX_PROGRAM_SIZE) {
      throw new ProgramTooLargeError(
        `the expression needs more than ${MAX_PROGRAM_SIZE} instructions in the linear-time matcher; split it across rules`,
      );
    }
    this.ops.push(op);
    this.outs.push(out);
    this.args.push(arg);
    this.sets.push(set);
    return this.ops.length - 1;
  }

  /** Emits `node` so that it continues at `next`; returns its entry. */
  compile(node: RegexNode, next: number): number {
    switch (node.kind) {
      case 'rune':
        return this.emit(RUNE, next, 0, node.set);
      case 'assert':
        return this.emit(ASSERT, next, ASSERTION_CODES[node.assertion]);
      case 'empty':
        return next;
      case 'capture': {
        const close = this.emit(SAVE, next, 2 * node.index + 1);
        return this.emit(SAVE, this.compile(node.child, close), 2 * node.index);
      }
      case 'concat': {
        let entry = next;
        for (let i = node.children.length - 1; i >= 0; i--) entry = this.compile(node.children[i], entry);
        return entry;
      }
      case 'alternate': {
        const entries = node.children.map((child) => this.compile(child, next));
        let entry = entries[entries.length - 1];
        for (let i = entries.length - 2; i >= 0; i--) entry = this.emit(SPLIT, entries[i], entry);
        return entry;
      }
      case 'repeat':
        return this.compileRepeat(node, next);
    }
  }

  private compileRepeat(node: RepeatNode, next: number): number {
    switch (node.op) {
      case 'quest':
        return this.split(this.compile(node.child, next), next, node.greedy);
      case 'plus':
        return this.plus(node, next);
      case 'star':
        if (this.analysis.info(node.child).nullable) {
          // Go compiles x* over an empty-matchable x as (x+)? for the right priorities (golang.org/issue/46123).
          return this.split(this.plus(node, next), next, node.greedy);
        }
        return this.loop(node, next);
      default:
        throw new Error('counted repetitions are simplified before compiling');
    }
  }

  /** x+: x, then a split back to x or on to next. */
  private plus(node: RepeatNode, next: number): number {
    const loop = this.emit(SPLIT, 0, 0);
    const body = this.compile(node.child, loop);
    this.setSplit(loop, body, next, node.greedy);
    return body;
  }

  /** x*: a split into x (which returns to the split) or on to next. */
  private loop(node: RepeatNode, next: number): number {
    const loop = this.emit(SPLIT, 0, 0);
    const body = this.compile(node.child, loop);
    this.setSplit(loop, body, next, node.greedy);
    return loop;
  }

  private split(body: number, next: number, greedy: boolean): number {
    const pc = this.emit(SPLIT, 0, 0);
    this.setSplit(pc, body, next, greedy);
    return pc;
  }

  private setSplit(pc: number, body: number, next: number, greedy: boolean): void {
    this.outs[pc] = greedy ? body : next;
    this.args[pc] = greedy ? next : body;
  }
}
