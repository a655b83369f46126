import type { CharSet } from './char-set';
import type { Assertion, RegexNode } from './re2-syntax';

// Writes a parsed Go regex as JavaScript RegExp source for the 'u' flag. Every rune set is written out
// as explicit code-point ranges (case folding already applied, Go's definitions of \d \s \w and POSIX
// classes already expanded), so no JavaScript flag or class interpretation is involved: no 'i', 's' or
// 'm' flag is used, and \b/\B keep their ASCII meaning, which is Go's. Groups keep Go's numbering because
// only capturing groups are written with '(' and every other group is (?:…).

const ASSERTIONS: Record<Assertion, string> = {
  beginText: '^',
  endText: '$',
  beginLine: '(?<![^\\n])', // Go's (?m)^: at the start, or after \n
  endLine: '(?![^\\n])', // Go's (?m)$: at the end, or before \n
  wordBoundary: '\\b',
  noWordBoundary: '\\B',
};

export function toJsSource(node: RegexNode): string {
  switch (node.kind) {
    case 'rune':
      return runeSetSource(node.set);
    case 'assert':
      return ASSERTIONS[node.assertion];
    case 'empty':
      return '(?:)';
    case 'capture':
      return `(${toJsSource(node.child)})`;
    case 'concat':
      return node.children.map(toJsSource).join('');
    case 'alternate':
      return `(?:${node.children.map(toJsSource).join('|')})`;
    case 'repeat': {
      const count =
        node.op === 'star'
          ? '*'
          : node.op === 'plus'
            ? '+'
            : node.op === 'quest'
              ? '?'
              : node.min === node.max
                ? `{${node.min}}`
                : `{${node.min},${node.max < 0 ? '' : node.max}}`;
      const atom = node.child.kind === 'rune' ? toJsSource(node.child) : `(?:${toJsSource(node.child)})`;
      return `${atom}${count}${node.greedy ? '' : '?'}`;
    }
  }
}

function runeSetSource(set: CharSet): string {
  if (set.isAll) return '[^]';
  const single = set.singleRune;
  if (single >= 0) return runeSource(single);
  let source = '[';
  for (let i = 0; i < set.ranges.length; i += 2) {
    const lo = set.ranges[i];
    const hi = set.ranges[i + 1];
    source += lo === hi ? runeSource(lo) : `${runeSource(lo)}-${runeSource(hi)}`;
  }
  return source + ']';
}

function runeSource(rune: number): string {
  const isAlnum = (rune >= 0x30 && rune <= 0x39) || (rune >= 0x41 && rune <= 0x5a) || (rune >= 0x61 && rune <= 0x7a);
  return isAlnum ? String.fromCharCode(rune) : `\\u{${rune.toString(16)}}`;
}
