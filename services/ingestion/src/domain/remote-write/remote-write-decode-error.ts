/**
 * Every way a remote_write body can be refused. The set is closed on purpose: each reason becomes a
 * Prometheus counter label and an HTTP 400 body, so it must never grow with attacker-controlled input.
 */
export const REMOTE_WRITE_DECODE_ERROR_REASONS = [
  'body_too_large',
  'snappy_length_exceeds_limit',
  'snappy_corrupt',
  'protobuf_truncated',
  'protobuf_invalid_wire_type',
  'protobuf_invalid_field_number',
  'protobuf_varint_overflow',
  'invalid_utf8',
  'missing_metric_name',
  'invalid_metric_name',
  'invalid_label_name',
  'duplicate_label_name',
  'too_many_series',
  'too_many_labels',
  'label_name_too_long',
  'label_value_too_long',
  'timestamp_out_of_range',
] as const;

export type RemoteWriteDecodeErrorReason = (typeof REMOTE_WRITE_DECODE_ERROR_REASONS)[number];

/** The only exception the decoder throws: `reason` is for machines, `message` says what and where for humans. */
export class RemoteWriteDecodeError extends Error {
  override readonly name = 'RemoteWriteDecodeError';

  constructor(
    readonly reason: RemoteWriteDecodeErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/** Quotes attacker-supplied text for an error message, bounded so a 1 MB label cannot bloat logs. */
export function quoteForMessage(text: string, maxChars = 64): string {
  const shown = text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
  return JSON.stringify(shown);
}
