/** The label that carries the metric name in Prometheus' data model. */
export const METRIC_NAME_LABEL = '__name__';

// Character loops instead of the regexes below: same rules, no regex engine on the hot path.
//   label name:  ^[a-zA-Z_][a-zA-Z0-9_]*$
//   metric name: ^[a-zA-Z_:][a-zA-Z0-9_:]*$

/** Prometheus (legacy, non-UTF-8) label name rule. */
export function isValidLabelName(name: string): boolean {
  return isValidIdentifier(name, false);
}

/** Prometheus (legacy, non-UTF-8) metric name rule: as label names, plus colons for recording rules. */
export function isValidMetricName(name: string): boolean {
  return isValidIdentifier(name, true);
}

function isValidIdentifier(text: string, allowColon: boolean): boolean {
  const length = text.length;
  if (length === 0) return false;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    const isLetterOrUnderscore = (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
    if (isLetterOrUnderscore || (allowColon && code === 58)) continue;
    if (i > 0 && code >= 48 && code <= 57) continue;
    return false;
  }
  return true;
}
