export { compileRelabelConfigs, hashMod } from './compile-relabel';
export type { CompiledRelabel, RelabelCompileOptions } from './compile-relabel';
export {
  isValidLabelNameTemplate,
  RELABEL_ACTIONS,
  RelabelConfigError,
  validateRelabelConfigs,
} from './relabel-config';
export type {
  RelabelAction,
  RelabelConfigField,
  RelabelConfigInput,
  RelabelConfigIssue,
  RelabelRegexLimits,
  RelabelRule,
} from './relabel-config';
export {
  compileRelabelRegex,
  DEFAULT_MAX_BACKTRACKING_WORK,
  RegexSyntaxError,
  RegexUnsupportedError,
} from './relabel-regex';
export type { RegexEngine, RelabelRegex, RelabelRegexOptions } from './relabel-regex';
export { checkRelabelledLabels } from './relabelled-labels';
export type { RelabelledLabelsCheck } from './relabelled-labels';
export { goStringToLower, goStringToUpper } from './go-unicode';
