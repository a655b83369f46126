// `import =` keeps the real CommonJS exports object (an `import * as` namespace would be a copy the
// spies could not reach), so the spies below see the calls snappy-block.ts makes.
import snappy = require('snappy');
import { decodeErrorOf } from './remote-write.fixtures';
import { decompressSnappyBlock, readSnappyBlockHeader } from './snappy-block';

/** Spies on the decompressor and proves the spy intercepts calls, so "not called" means something. */
function spyOnDecompressor(): jest.SpyInstance {
  const spy = jest.spyOn(snappy, 'uncompressSync');
  decompressSnappyBlock(snappy.compressSync(Buffer.from('control')), 100);
  expect(spy).toHaveBeenCalledTimes(1);
  spy.mockClear();
  return spy;
}

describe('snappy block', () => {
  afterEach(() => jest.restoreAllMocks());

  it('reads the uncompressed length from the header varint', () => {
    expect(readSnappyBlockHeader(Uint8Array.of(0x00))).toEqual({ uncompressedLength: 0, headerBytes: 1 });
    expect(readSnappyBlockHeader(Uint8Array.of(0xfe, 0xff, 0x7f))).toEqual({ uncompressedLength: 2_097_150, headerBytes: 3 });
    expect(readSnappyBlockHeader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f))).toEqual({ uncompressedLength: 0xffffffff, headerBytes: 5 });
  });

  it('round-trips what snappy compressed, and checks the length it produced', () => {
    const payload = Buffer.from('remote_write '.repeat(1_000));
    const block = snappy.compressSync(payload);
    expect(decompressSnappyBlock(block, payload.length).equals(payload)).toBe(true);
  });

  it('refuses a "snappy bomb" header before the decompressor (and its allocation) is ever reached', () => {
    const uncompress = spyOnDecompressor();
    const fourGiB = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x01, 0x02);
    const error = decodeErrorOf(() => decompressSnappyBlock(fourGiB, 64 << 20));
    expect(error.reason).toBe('snappy_length_exceeds_limit');
    expect(error.message).toBe('snappy header declares 4294967295 uncompressed bytes, over the limit of 67108864');
    expect(uncompress).not.toHaveBeenCalled();
  });

  it('refuses, without decompressing, a header within the limit that the payload could never expand to', () => {
    const uncompress = spyOnDecompressor();
    const sixtyMiB = Uint8Array.of(0x80, 0x80, 0x80, 0x1e, 0x00, 0x01); // 62,914,560 bytes from 2 bytes
    const error = decodeErrorOf(() => decompressSnappyBlock(sixtyMiB, 64 << 20));
    expect(error.reason).toBe('snappy_corrupt');
    expect(error.message).toBe('snappy header declares 62914560 bytes but 2 compressed bytes expand to at most 43');
    expect(uncompress).not.toHaveBeenCalled();
  });

  it('accepts the densest real block at its bound (a long run of one byte)', () => {
    const run = Buffer.alloc(1 << 20, 0x61);
    const block = snappy.compressSync(run);
    expect(decompressSnappyBlock(block, run.length).length).toBe(run.length);
  });

  it('reports corrupt payloads, and a decompressor that returns a length other than declared', () => {
    expect(decodeErrorOf(() => decompressSnappyBlock(Uint8Array.of(0x04, 0x0c, 0x61, 0x62), 100)).message).toMatch(/^snappy block is corrupt: /);
    jest.spyOn(snappy, 'uncompressSync').mockReturnValue(Buffer.alloc(3));
    const error = decodeErrorOf(() => decompressSnappyBlock(snappy.compressSync(Buffer.alloc(4)), 100));
    expect(error.message).toBe('snappy block decompressed to 3 bytes but its header declares 4');
  });
});
