// One shared fatal decoder: proto3 strings must be valid UTF-8, and `fatal` makes the check native-speed.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes bytes [start, end) as UTF-8, or returns null when they are not valid UTF-8. */
export function decodeUtf8OrNull(source: Uint8Array, start: number, end: number): string | null {
  try {
    return strictUtf8.decode(source.subarray(start, end));
  } catch {
    return null;
  }
}
