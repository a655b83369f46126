import { ASCII_FOLD, CASE_ORBIT, CASE_RANGES, UPPER_LOWER } from './go-unicode-tables';

// Go's unicode.ToUpper/ToLower/SimpleFold and strings.ToUpper/ToLower, over Go's own tables (Unicode 15.0.0)
// rather than this runtime's ICU: String.prototype.toUpperCase applies full (multi-character) mappings and
// a newer Unicode version ('ß' → 'SS', 'İ' → 'i̇'), where Go maps rune by rune ('ß' stays 'ß', 'İ' → 'i').

const UPPER = 0;
const LOWER = 1;
const ORBIT = new Map<number, number>();
for (let i = 0; i < CASE_ORBIT.length; i += 2) ORBIT.set(CASE_ORBIT[i], CASE_ORBIT[i + 1]);

/** Index (of the quadruple) of the case range holding `rune`, or -1. */
function caseRangeOf(rune: number): number {
  let lo = 0;
  let hi = CASE_RANGES.length / 4;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    const base = m * 4;
    if (rune < CASE_RANGES[base]) hi = m;
    else if (rune > CASE_RANGES[base + 1]) lo = m + 1;
    else return base;
  }
  return -1;
}

function convertCase(which: number, rune: number, base: number): number {
  const delta = CASE_RANGES[base + 2 + which];
  if (delta === UPPER_LOWER) {
    // Upper/lower alternate from the start of the range: even offsets are upper case.
    const lo = CASE_RANGES[base];
    return lo + (((rune - lo) & ~1) | which);
  }
  return rune + delta;
}

export function goToUpperRune(rune: number): number {
  if (rune < 0x80) return rune >= 0x61 && rune <= 0x7a ? rune - 32 : rune;
  const base = caseRangeOf(rune);
  return base < 0 ? rune : convertCase(UPPER, rune, base);
}

export function goToLowerRune(rune: number): number {
  if (rune < 0x80) return rune >= 0x41 && rune <= 0x5a ? rune + 32 : rune;
  const base = caseRangeOf(rune);
  return base < 0 ? rune : convertCase(LOWER, rune, base);
}

/** unicode.SimpleFold: the next rune of `rune`'s case-folding orbit (itself when it has none). */
export function goSimpleFold(rune: number): number {
  if (rune < 0 || rune > 0x10ffff) return rune;
  if (rune < 0x80) return ASCII_FOLD[rune];
  const special = ORBIT.get(rune);
  if (special !== undefined) return special;
  const base = caseRangeOf(rune);
  if (base < 0) return rune;
  const lower = convertCase(LOWER, rune, base);
  return lower !== rune ? lower : convertCase(UPPER, rune, base);
}

/** strings.ToUpper: each rune through unicode.ToUpper (ASCII-only strings take a fast path). */
export function goStringToUpper(text: string): string {
  return mapRunes(text, goToUpperRune, 0x61, 0x7a);
}

/** strings.ToLower: each rune through unicode.ToLower. */
export function goStringToLower(text: string): string {
  return mapRunes(text, goToLowerRune, 0x41, 0x5a);
}

function mapRunes(text: string, map: (rune: number) => number, asciiFrom: number, asciiTo: number): string {
  let ascii = true;
  let changes = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) {
      ascii = false;
      break;
    }
    if (code >= asciiFrom && code <= asciiTo) changes = true;
  }
  if (ascii && !changes) return text;
  if (ascii) return asciiFrom === 0x61 ? text.toUpperCase() : text.toLowerCase(); // identical to Go on ASCII
  let out = '';
  for (const char of text) {
    const rune = char.codePointAt(0) as number;
    const mapped = map(rune);
    out += mapped === rune ? char : String.fromCodePoint(mapped);
  }
  return out;
}
