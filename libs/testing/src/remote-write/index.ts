export {
  STALE_MARKER_HIGH_WORD,
  STALE_MARKER_LOW_WORD,
  encodeRemoteWriteBody,
  encodeWriteRequest,
  snappyBlock,
} from './encode-write-request';
export type { EncodableLabel, EncodableSample, EncodableSeries } from './encode-write-request';
export { buildCadvisorFleet, fleetWriteRequests } from './cadvisor-fleet';
export type { CadvisorFleetOptions, FleetRequestOptions } from './cadvisor-fleet';
