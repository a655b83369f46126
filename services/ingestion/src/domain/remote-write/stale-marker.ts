/** Prometheus' stale marker is one specific NaN: high word 0x7ff00000, low word 0x00000002. */
export const STALE_MARKER_HIGH_WORD = 0x7ff00000;
export const STALE_MARKER_LOW_WORD = 0x00000002;

/** The quiet-NaN bit, which V8 may set when a signalling NaN passes through a float register. */
const QUIET_NAN_BIT = 0x00080000;

const scratch = new DataView(new ArrayBuffer(8));

/**
 * Whether the 8 little-endian wire bytes at `offset` are the stale marker. Authoritative: works on the
 * bytes before they become a JS number, so the decoder flags samples with this.
 */
export function isStaleMarkerAt(bytes: Uint8Array, offset: number): boolean {
  return (
    bytes[offset] === 0x02 &&
    bytes[offset + 1] === 0 &&
    bytes[offset + 2] === 0 &&
    bytes[offset + 3] === 0 &&
    bytes[offset + 4] === 0 &&
    bytes[offset + 5] === 0 &&
    bytes[offset + 6] === 0xf0 &&
    bytes[offset + 7] === 0x7f
  );
}

/**
 * Best-effort check on a JS number. It tolerates the quiet bit V8 sets on load, but a NaN that went
 * through a double array may have been canonicalised and lost its payload: prefer `DecodedSample.stale`.
 */
export function isStaleMarker(value: number): boolean {
  if (value === value) return false; // only NaN can be the marker
  scratch.setFloat64(0, value, true);
  const high = scratch.getUint32(4, true) & ~QUIET_NAN_BIT;
  return high === STALE_MARKER_HIGH_WORD && scratch.getUint32(0, true) === STALE_MARKER_LOW_WORD;
}
