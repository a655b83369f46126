export { decodeRemoteWrite, decodeWriteRequestMessage } from './decode-write-request';
export type { DecodeRemoteWriteOptions } from './decode-write-request';
export type {
  DecodedSample,
  DecodedSeries,
  DecodedWriteRequest,
  Label,
  RemoteWriteLimits,
} from './decoded-write-request';
export { LabelInterner } from './label-interner';
export type { LabelInternerOptions } from './label-interner';
export { METRIC_NAME_LABEL, isValidLabelName, isValidMetricName } from './prometheus-names';
export {
  REMOTE_WRITE_DECODE_ERROR_REASONS,
  RemoteWriteDecodeError,
} from './remote-write-decode-error';
export type { RemoteWriteDecodeErrorReason } from './remote-write-decode-error';
export { isStaleMarker } from './stale-marker';
