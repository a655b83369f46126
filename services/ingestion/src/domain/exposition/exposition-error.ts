/**
 * Every way an exposition can be refused. Closed on purpose: a reason becomes a metric label and a
 * log field, so it must never grow with what a scraped endpoint sends.
 */
export const EXPOSITION_ERROR_REASONS = [
  'line_too_long',
  'too_many_series',
  'too_many_labels',
  'invalid_metric_name',
  'invalid_label_name',
  'duplicate_label_name',
  'invalid_label_value',
  'invalid_escape',
  'invalid_value',
  'invalid_timestamp',
  'invalid_exemplar',
  'invalid_metadata',
  'duplicate_metadata',
  'metadata_after_samples',
  'interleaved_family',
  'invalid_bucket_bound',
  'invalid_quantile',
  'unexpected_character',
  'empty_line',
  'invalid_comment',
  'missing_eof',
  'content_after_eof',
] as const;

export type ExpositionErrorReason = (typeof EXPOSITION_ERROR_REASONS)[number];

/** The only exception the exposition parser throws: `reason` for machines, the message says what and on which line. */
export class ExpositionError extends Error {
  override readonly name = 'ExpositionError';

  constructor(
    readonly reason: ExpositionErrorReason,
    /** 1-based line number of the offending line. */
    readonly line: number,
    detail: string,
  ) {
    super(`line ${line}: ${detail}`);
  }
}

/** Quotes scraped text for an error message, bounded so a 1 MB line cannot bloat logs. */
export function quoteScraped(text: string, maxChars = 64): string {
  const shown = text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
  return JSON.stringify(shown);
}
