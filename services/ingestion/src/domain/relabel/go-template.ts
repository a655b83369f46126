// Go's Regexp.Expand templates (regexp.go expand/extract), which relabel `replacement` and
// `target_label` use: $name or ${name}, where name is the longest run of letters, digits and '_';
// a number refers to a group by index (no leading zeros, under 1e8), anything else to the first
// participating group of that name; an unknown group expands to ''. '$$' is a '$', and a '$' not
// followed by a name (or '${' without '}') is kept as text. So '$1_total' refers to a group named
// '1_total' and expands to '' unless written '${1}_total' — Prometheus' classic surprise, kept.

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'group'; readonly candidates: readonly number[] };

export interface ParsedTemplate {
  readonly parts: readonly TemplatePart[];
  /** True when the template refers to no group: it expands to itself. */
  readonly isConstant: boolean;
  readonly text: string;
}

// unicode.IsLetter / unicode.IsDigit (Go's tables are Unicode 15.0; this runtime's may be newer,
// which only matters for a rune assigned since, right after a '$').
const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/** Parses `template` against a regex's group names (index → name, '' for unnamed). */
export function parseTemplate(template: string, groupNames: readonly string[]): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let text = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    text += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      text += '$';
      rest = rest.slice(1);
      continue;
    }
    const reference = extractReference(rest);
    if (reference === null) {
      text += '$';
      continue;
    }
    rest = rest.slice(reference.length);
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
    parts.push({ kind: 'group', candidates: candidatesFor(reference.name, groupNames) });
  }
  text += rest;
  if (text !== '') parts.push({ kind: 'text', text });
  const isConstant = parts.every((part) => part.kind === 'text');
  return { parts, isConstant, text: isConstant ? parts.map((part) => (part as { text: string }).text).join('') : template };
}

/** Expands a parsed template with a match's groups (from RelabelRegex.exec). */
export function expandTemplate(template: ParsedTemplate, groups: readonly (string | undefined)[]): string {
  if (template.isConstant) return template.text;
  let out = '';
  for (const part of template.parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    for (const index of part.candidates) {
      const value = groups[index];
      if (value !== undefined) {
        out += value;
        break;
      }
    }
  }
  return out;
}

/** regexp.go extract: the reference after a '$' and how many code units it spans, or null. */
function extractReference(text: string): { name: string; length: number } | null {
  const brace = text.startsWith('{');
  let i = brace ? 1 : 0;
  const nameStart = i;
  while (i < text.length) {
    const rune = text.codePointAt(i) as number;
    const char = String.fromCodePoint(rune);
    if (!(rune < 0x80 ? /[A-Za-z0-9_]/.test(char) : NAME_CHAR.test(char))) break;
    i += char.length;
  }
  if (i === nameStart) return null;
  const name = text.slice(nameStart, i);
  if (brace) {
    if (text[i] !== '}') return null;
    i++;
  }
  return { name, length: i };
}

/** Group indexes a reference may take its text from, in Go's order of preference. */
function candidatesFor(name: string, groupNames: readonly string[]): number[] {
  let num = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x30 || c > 0x39 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c - 0x30);
  }
  if (name.length > 1 && name[0] === '0') num = -1;
  if (num >= 0) return num < groupNames.length ? [num] : [];
  const candidates: number[] = [];
  groupNames.forEach((groupName, index) => {
    if (groupName === name) candidates.push(index);
  });
  return candidates;
}
