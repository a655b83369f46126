import { createHash } from 'node:crypto';
import type { Label } from '../remote-write/decoded-write-request';
import { isValidLabelName } from '../remote-write/prometheus-names';
import { goStringToLower, goStringToUpper } from './go-unicode';
import { expandTemplate } from './go-template';
import { byName, LabelBuilder } from './label-builder';
import {
  validateRelabelConfigs,
  type RelabelConfigInput,
  type RelabelRegexLimits,
  type RelabelRule,
} from './relabel-config';

export interface RelabelCompileOptions extends RelabelRegexLimits {
  /**
   * Remember each result by the input array's identity when that array is frozen (the decoder shares
   * one frozen array of frozen labels per distinct label set across requests), so a series seen again
   * costs one WeakMap lookup. A frozen array's labels must not change either. Entries live as long as
   * the input array does. Default true.
   */
  readonly cacheByReference?: boolean;
}

export interface CompiledRelabel {
  readonly rules: readonly RelabelRule[];
  /**
   * Applies the rules in order, as Prometheus' relabel.ProcessBuilder does. Returns the labels sorted
   * by name — the input array itself when it was sorted and no rule changed it — or null when a rule
   * dropped the series or no label is left. Never throws once compiled.
   */
  apply(labels: readonly Label[]): readonly Label[] | null;
}

const DROPPED = Symbol('dropped');

/**
 * Validates and compiles a tenant's relabel rules (Prometheus relabel_config semantics). Throws a
 * RelabelConfigError naming each bad rule by index and field.
 */
export function compileRelabelConfigs(
  configs: readonly RelabelConfigInput[],
  options: RelabelCompileOptions = {},
): CompiledRelabel {
  const rules = validateRelabelConfigs(configs, { maxBacktrackingWork: options.maxBacktrackingWork });
  return new Relabeller(rules, options.cacheByReference ?? true);
}

class Relabeller implements CompiledRelabel {
  private readonly builder = new LabelBuilder();
  private readonly cache: WeakMap<readonly Label[], readonly Label[] | typeof DROPPED> | null;

  constructor(
    readonly rules: readonly RelabelRule[],
    cacheByReference: boolean,
  ) {
    this.cache = cacheByReference ? new WeakMap() : null;
  }

  apply(labels: readonly Label[]): readonly Label[] | null {
    const cache = this.cache !== null && Object.isFrozen(labels) ? this.cache : null;
    const hit = cache?.get(labels);
    if (hit !== undefined) return hit === DROPPED ? null : hit;
    const result = this.process(labels);
    cache?.set(labels, result ?? DROPPED);
    return result;
  }

  private process(input: readonly Label[]): readonly Label[] | null {
    const builder = this.builder;
    builder.reset(isSortedByName(input) ? input : Object.freeze(input.slice().sort(byName)));
    for (const rule of this.rules) {
      if (!applyRule(rule, builder)) return null;
    }
    const labels = builder.labels();
    return labels.length === 0 ? null : labels;
  }
}

/** relabel.go relabel(): false when the rule drops the series. */
function applyRule(rule: RelabelRule, lb: LabelBuilder): boolean {
  const value = sourceValue(rule, lb);
  switch (rule.action) {
    case 'drop':
      return !rule.regex.test(value);
    case 'keep':
      return rule.regex.test(value);
    case 'dropequal':
      return lb.get(rule.targetLabel) !== value;
    case 'keepequal':
      return lb.get(rule.targetLabel) === value;
    case 'replace': {
      const groups = rule.regex.exec(value);
      if (groups === null) return true; // no match, no replacement
      const target = expandTemplate(rule.target, groups);
      if (!rule.targetAlwaysValid && !isValidLabelName(target)) return true;
      const replacement = expandTemplate(rule.replacement, groups);
      if (replacement === '') lb.delete(target);
      else lb.set(target, replacement);
      return true;
    }
    case 'lowercase':
      lb.set(rule.targetLabel, goStringToLower(value));
      return true;
    case 'uppercase':
      lb.set(rule.targetLabel, goStringToUpper(value));
      return true;
    case 'hashmod':
      lb.set(rule.targetLabel, hashMod(value, rule.modulus));
      return true;
    case 'labelmap':
      lb.copyWhere((name) => {
        const groups = rule.regex.exec(name);
        return groups === null ? null : expandTemplate(rule.replacement, groups);
      });
      return true;
    case 'labeldrop':
      lb.deleteWhere((name) => rule.regex.test(name), false);
      return true;
    case 'labelkeep':
      lb.deleteWhere((name) => rule.regex.test(name), true);
      return true;
  }
}

function sourceValue(rule: RelabelRule, lb: LabelBuilder): string {
  const names = rule.sourceLabels;
  if (names.length === 0) return '';
  if (names.length === 1) return lb.get(names[0]);
  let value = lb.get(names[0]);
  for (let i = 1; i < names.length; i++) value += rule.separator + lb.get(names[i]);
  return value;
}

/** md5 of the value; the last 8 bytes as a big-endian uint64, modulo `modulus` (relabel.go HashMod). */
export function hashMod(value: string, modulus: bigint): string {
  const digest = createHash('md5').update(value, 'utf8').digest();
  return (digest.readBigUInt64BE(8) % modulus).toString();
}

function isSortedByName(labels: readonly Label[]): boolean {
  for (let i = 1; i < labels.length; i++) if (!(labels[i - 1].name < labels[i].name)) return false;
  return true;
}
