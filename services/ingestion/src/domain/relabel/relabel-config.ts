import { isValidLabelName } from '../remote-write/prometheus-names';
import { parseTemplate, type ParsedTemplate } from './go-template';
import {
  compileRelabelRegex,
  RegexSyntaxError,
  RegexUnsupportedError,
  type RelabelRegex,
} from './relabel-regex';

// A tenant's relabel rules in Prometheus' relabel_config shape (model/relabel/relabel.go), validated as
// Prometheus validates them with the legacy label-name scheme (the one the remote-write decoder
// enforces). Defaults and their subtleties follow Config.UnmarshalYAML: an absent field takes the
// default, but an explicit empty `separator`, `replacement` or `regex` is kept as empty (issue #18652),
// and `regex: null` is the empty regex.

export const RELABEL_ACTIONS = [
  'replace',
  'keep',
  'drop',
  'keepequal',
  'dropequal',
  'hashmod',
  'labelmap',
  'labeldrop',
  'labelkeep',
  'lowercase',
  'uppercase',
] as const;
export type RelabelAction = (typeof RELABEL_ACTIONS)[number];

/** One relabel_config as a tenant writes it (YAML/JSON keys of Prometheus). */
export interface RelabelConfigInput {
  readonly source_labels?: readonly string[];
  /** Default ';'. */
  readonly separator?: string;
  /** Go RE2 syntax, fully anchored. Default '(.*)'; null is the empty regex. */
  readonly regex?: string | null;
  /** For hashmod: a uint64. */
  readonly modulus?: number | bigint;
  readonly target_label?: string;
  /** Default '$1'. */
  readonly replacement?: string;
  /** Default 'replace'; case-insensitive. */
  readonly action?: string;
}

export type RelabelConfigField = keyof RelabelConfigInput | 'rule';

export interface RelabelConfigIssue {
  /** Index of the rule in the list. */
  readonly rule: number;
  readonly field: RelabelConfigField;
  readonly message: string;
}

export class RelabelConfigError extends Error {
  constructor(readonly issues: readonly RelabelConfigIssue[]) {
    super(
      'invalid relabel configuration: ' +
        issues.map((issue) => `rule ${issue.rule}: ${issue.field}: ${issue.message}`).join('; '),
    );
    this.name = 'RelabelConfigError';
  }
}

export interface RelabelRegexLimits {
  /** See RelabelRegexOptions.maxBacktrackingWork. */
  readonly maxBacktrackingWork?: number;
}

/** A validated rule, with everything the hot path needs precomputed. */
export interface RelabelRule {
  readonly action: RelabelAction;
  readonly sourceLabels: readonly string[];
  readonly separator: string;
  readonly regex: RelabelRegex;
  /** The regex was not configured (Prometheus' DefaultRelabelConfig.Regex). */
  readonly regexIsDefault: boolean;
  readonly modulus: bigint;
  readonly targetLabel: string;
  readonly target: ParsedTemplate;
  readonly replacement: ParsedTemplate;
  /** The target_label cannot expand to an invalid name, so the per-series check can be skipped. */
  readonly targetAlwaysValid: boolean;
}

const DEFAULT_SEPARATOR = ';';
const DEFAULT_REGEX = '(.*)';
const DEFAULT_REPLACEMENT = '$1';
const FIELDS = new Set<string>(['source_labels', 'separator', 'regex', 'modulus', 'target_label', 'replacement', 'action']);
const MAX_UINT64 = (1n << 64n) - 1n;
/** Actions that use the regex; for the others an unsupported (but valid Go) regex is not an error. */
const REGEX_ACTIONS = new Set<RelabelAction>(['replace', 'keep', 'drop', 'labelmap', 'labeldrop', 'labelkeep']);

/** Validates every rule; throws a RelabelConfigError listing every problem found. */
export function validateRelabelConfigs(configs: readonly unknown[], limits: RelabelRegexLimits = {}): RelabelRule[] {
  const issues: RelabelConfigIssue[] = [];
  if (!Array.isArray(configs)) {
    throw new RelabelConfigError([{ rule: -1, field: 'rule', message: 'relabel rules must be a list' }]);
  }
  const rules: RelabelRule[] = [];
  configs.forEach((config, index) => {
    const rule = validateRule(config, limits, (field, message) => issues.push({ rule: index, field, message }));
    if (rule !== null) rules.push(rule);
  });
  if (issues.length > 0) throw new RelabelConfigError(issues);
  return rules;
}

type Report = (field: RelabelConfigField, message: string) => void;

function validateRule(config: unknown, limits: RelabelRegexLimits, report: Report): RelabelRule | null {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    report('rule', 'must be an object with relabel_config fields');
    return null;
  }
  const input = config as Record<string, unknown>;
  let ok = true;
  const fail: Report = (field, message) => {
    ok = false;
    report(field, message);
  };
  for (const key of Object.keys(input)) {
    if (!FIELDS.has(key)) fail('rule', `unknown field ${JSON.stringify(key)} (Prometheus refuses it too)`);
  }

  const action = readAction(input.action, fail);
  const sourceLabels = readSourceLabels(input.source_labels, fail);
  const separator = readString(input, 'separator', DEFAULT_SEPARATOR, fail);
  const targetLabel = readString(input, 'target_label', '', fail);
  const replacementText = readString(input, 'replacement', DEFAULT_REPLACEMENT, fail);
  const modulus = readModulus(input.modulus, fail);
  const regexGiven = 'regex' in input && input.regex !== undefined;
  let pattern = DEFAULT_REGEX;
  if (regexGiven && input.regex === null) pattern = '';
  else if (regexGiven && typeof input.regex !== 'string') fail('regex', 'must be a string');
  else if (regexGiven) pattern = input.regex as string;
  if (!ok || action === null || sourceLabels === null || separator === null || targetLabel === null) return null;
  if (replacementText === null || modulus === null) return null;

  const regex = compileRuleRegex(pattern, action, limits, fail);
  if (regex === null) return null;

  const sourceLabelsGiven = input.source_labels !== undefined && input.source_labels !== null;
  const problem = prometheusValidate({
    action,
    sourceLabelsGiven,
    separator,
    regexGiven,
    modulus,
    targetLabel,
    replacementText,
  });
  if (problem !== null) {
    fail(problem.field, problem.message);
    return null;
  }
  const groupNames = regex.groupNames;
  const target = parseTemplate(targetLabel, groupNames);
  return {
    action,
    sourceLabels,
    separator,
    regex,
    regexIsDefault: !regexGiven,
    modulus,
    targetLabel,
    target,
    replacement: parseTemplate(replacementText, groupNames),
    targetAlwaysValid: target.isConstant && isValidLabelName(target.text),
  };
}

function compileRuleRegex(
  pattern: string,
  action: RelabelAction,
  limits: RelabelRegexLimits,
  fail: Report,
): RelabelRegex | null {
  const options = { maxBacktrackingWork: limits.maxBacktrackingWork };
  try {
    return compileRelabelRegex(pattern, options);
  } catch (error) {
    if (error instanceof RegexSyntaxError) {
      fail('regex', error.message);
      return null;
    }
    if (!(error instanceof RegexUnsupportedError)) throw error;
    if (REGEX_ACTIONS.has(action)) {
      fail('regex', `not supported: ${error.message}`);
      return null;
    }
    return compileRelabelRegex(DEFAULT_REGEX, options); // valid Go syntax, and this action ignores it
  }
}

interface ValidationInput {
  readonly action: RelabelAction;
  readonly sourceLabelsGiven: boolean;
  readonly separator: string;
  readonly regexGiven: boolean;
  readonly modulus: bigint;
  readonly targetLabel: string;
  readonly replacementText: string;
}

/** Config.Validate of relabel.go with the legacy name scheme: the first failing check, in its order. */
function prometheusValidate(c: ValidationInput): { field: RelabelConfigField; message: string } | null {
  const { action, targetLabel, replacementText } = c;
  const needsTarget = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(action);
  const targetOnly = action === 'lowercase' || action === 'uppercase' || action === 'keepequal' || action === 'dropequal';
  const invalidTarget = {
    field: 'target_label' as const,
    message: `${JSON.stringify(targetLabel)} is invalid 'target_label' for ${action} action`,
  };
  if (c.modulus === 0n && action === 'hashmod') {
    return { field: 'modulus', message: 'relabel configuration for hashmod requires non-zero modulus' };
  }
  if (needsTarget && targetLabel === '') {
    return { field: 'target_label', message: `relabel configuration for ${action} action requires 'target_label' value` };
  }
  if (action === 'replace' && !targetLabel.includes('$') && !isValidLabelName(targetLabel)) return invalidTarget;
  if (action === 'replace' && targetLabel.includes('$') && !isValidLabelNameTemplate(targetLabel)) return invalidTarget;
  if (targetOnly && !isValidLabelName(targetLabel)) return invalidTarget;
  if (targetOnly && replacementText !== DEFAULT_REPLACEMENT) {
    return { field: 'replacement', message: `'replacement' can not be set for ${action} action` };
  }
  if (action === 'labelmap' && !isValidLabelNameTemplate(replacementText)) {
    const message = `${JSON.stringify(replacementText)} is invalid 'replacement' for ${action} action`;
    return { field: 'replacement', message };
  }
  if (action === 'hashmod' && !isValidLabelName(targetLabel)) return invalidTarget;
  if (action === 'keepequal' || action === 'dropequal') {
    const extra = c.regexGiven
      ? 'regex'
      : c.modulus !== 0n
        ? 'modulus'
        : c.separator !== DEFAULT_SEPARATOR
          ? 'separator'
          : replacementText !== DEFAULT_REPLACEMENT
            ? 'replacement'
            : null;
    if (extra !== null) {
      const message = `${action} action requires only 'source_labels' and \`target_label\`, and no other fields`;
      return { field: extra, message };
    }
  }
  if (action === 'labeldrop' || action === 'labelkeep') {
    const extra = c.sourceLabelsGiven
      ? 'source_labels'
      : targetLabel !== ''
        ? 'target_label'
        : c.modulus !== 0n
          ? 'modulus'
          : c.separator !== DEFAULT_SEPARATOR
            ? 'separator'
            : replacementText !== DEFAULT_REPLACEMENT
              ? 'replacement'
              : null;
    if (extra !== null) return { field: extra, message: `${action} action requires only 'regex', and no other fields` };
  }
  return null;
}

/**
 * relabel.go relabelTargetLegacy, `^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$`, without a regex (that
 * one backtracks exponentially in JavaScript): a legacy label name in which `$name` / `${name}`
 * references may stand for characters, and which starts with a letter, '_' or a reference.
 */
export function isValidLabelNameTemplate(text: string): boolean {
  const isWord = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);
  if (text === '' || /[0-9]/.test(text[0])) return false;
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '$') {
      if (!isWord(text[i])) return false;
      i++;
      continue;
    }
    const braced = text[i + 1] === '{';
    let j = braced ? i + 2 : i + 1;
    const start = j;
    while (isWord(text[j])) j++;
    if (j === start) return false;
    if (braced) {
      if (text[j] !== '}') return false;
      j++;
    }
    i = j;
  }
  return true;
}

function readAction(value: unknown, fail: Report): RelabelAction | null {
  if (value === undefined) return 'replace';
  if (typeof value !== 'string') {
    fail('action', 'must be a string');
    return null;
  }
  const action = value.toLowerCase() as RelabelAction;
  if (!RELABEL_ACTIONS.includes(action)) {
    fail('action', `unknown relabel action ${JSON.stringify(value)}; expected one of ${RELABEL_ACTIONS.join(', ')}`);
    return null;
  }
  return action;
}

function readSourceLabels(value: unknown, fail: Report): string[] | null {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    fail('source_labels', 'must be a list of label names');
    return null;
  }
  const names: string[] = [];
  for (const name of value) {
    if (typeof name !== 'string' || !isValidLabelName(name)) {
      fail('source_labels', `${JSON.stringify(name)} is not a valid label name`);
      return null;
    }
    names.push(name);
  }
  return names;
}

function readString(
  input: Record<string, unknown>,
  field: 'separator' | 'target_label' | 'replacement',
  fallback: string,
  fail: Report,
): string | null {
  const value = input[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'string') {
    fail(field, 'must be a string');
    return null;
  }
  return value;
}

function readModulus(value: unknown, fail: Report): bigint | null {
  if (value === undefined) return 0n;
  let modulus: bigint | null = null;
  if (typeof value === 'bigint') modulus = value;
  else if (typeof value === 'number' && Number.isSafeInteger(value)) modulus = BigInt(value);
  if (modulus === null || modulus < 0n || modulus > MAX_UINT64) {
    fail('modulus', `must be an integer from 0 to ${MAX_UINT64} (a uint64), got ${String(value)}`);
    return null;
  }
  return modulus;
}
