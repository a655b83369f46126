import { isStaleMarker, isStaleMarkerAt } from './stale-marker';

const STALE = Uint8Array.of(0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f);

function doubleFromBytes(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
}

describe('stale marker', () => {
  it('recognises the exact wire bits at any offset', () => {
    expect(isStaleMarkerAt(Uint8Array.of(9, ...STALE), 1)).toBe(true);
    const quietNaN = Uint8Array.of(0, 0, 0, 0, 0, 0, 0xf8, 0x7f);
    expect(isStaleMarkerAt(quietNaN, 0)).toBe(false);
    expect(isStaleMarkerAt(Uint8Array.of(0x02, 0, 0, 0, 0, 0, 0xf0, 0xff), 0)).toBe(false); // sign bit set
  });

  it('recognises the marker as a JS number, even with the quiet bit V8 may set on load', () => {
    expect(isStaleMarker(doubleFromBytes(STALE))).toBe(true);
    expect(isStaleMarker(doubleFromBytes(Uint8Array.of(0x02, 0, 0, 0, 0, 0, 0xf8, 0x7f)))).toBe(true);
  });

  it('does not mistake ordinary NaN or numbers for the marker', () => {
    expect([Number.NaN, 0, -0, Infinity, 2].map(isStaleMarker)).toEqual([false, false, false, false, false]);
  });
});
