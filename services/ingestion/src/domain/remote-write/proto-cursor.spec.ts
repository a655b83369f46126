import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';
import { ProtoCursor } from './proto-cursor';
import { decodeErrorOf } from './remote-write.fixtures';

function cursorOver(write: (writer: BinaryWriter) => void): ProtoCursor {
  const writer = new BinaryWriter();
  write(writer);
  return new ProtoCursor(writer.finish());
}

describe('ProtoCursor', () => {
  it('reads every safe int64 exactly as @bufbuild/protobuf writes it, including negatives', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (value) => {
        const cursor = cursorOver((w) => w.int64(value));
        expect(cursor.readInt64(cursor.buf.length)).toBe(value);
        expect(cursor.pos).toBe(cursor.buf.length);
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([0, 1, 127, 128, 2 ** 31, 2 ** 32, 2 ** 49 - 1, 2 ** 49, 2 ** 53 - 1, -1, -(2 ** 31), -(2 ** 32), -(2 ** 53 - 1)])(
    'reads int64 %d',
    (value) => {
      const cursor = cursorOver((w) => w.int64(value));
      expect(cursor.readInt64(cursor.buf.length)).toBe(value);
    },
  );

  it('reads tags and lengths, and skips each wire type by exactly its size', () => {
    const cursor = cursorOver((w) => {
      w.tag(1, WireType.Varint).uint64(2n ** 63n);
      w.tag(2, WireType.Bit64).fixed64(9n);
      w.tag(3, WireType.LengthDelimited).bytes(new Uint8Array(300));
      w.tag(4, WireType.Bit32).fixed32(9);
      w.tag(5, WireType.Varint).uint32(1);
    });
    const end = cursor.buf.length;
    const fields: number[] = [];
    while (cursor.pos < end) {
      const tag = cursor.readTag(end);
      fields.push(tag >>> 3);
      cursor.skipField(tag, end);
    }
    expect(fields).toEqual([1, 2, 3, 4, 5]);
    expect(cursor.pos).toBe(end);
  });

  it('reads little-endian doubles', () => {
    const cursor = cursorOver((w) => w.double(-1.25e-300));
    expect(cursor.readDoubleUnchecked()).toBe(-1.25e-300);
  });

  it('never reads past the end it is given, even when the buffer continues', () => {
    const cursor = new ProtoCursor(Uint8Array.of(0x80, 0x01, 0x0a, 0x05, 0, 0, 0, 0, 0, 0));
    expect(decodeErrorOf(() => cursor.readInt64(1)).reason).toBe('protobuf_truncated');
    cursor.pos = 2;
    cursor.readTag(3);
    expect(decodeErrorOf(() => cursor.readLength(8)).message).toBe('length-delimited field claims 5 bytes but only 4 remain (at byte 4)');
    cursor.pos = 4;
    expect(decodeErrorOf(() => cursor.skipField(1, 10)).message).toBe('fixed64 field 0 needs 8 bytes but only 6 remain (at byte 4)');
  });

  it('refuses lengths that do not fit in the message, however many bits they have', () => {
    const cursor = cursorOver((w) => w.uint64(2n ** 60n));
    expect(decodeErrorOf(() => cursor.readLength(cursor.buf.length)).reason).toBe('protobuf_truncated');
  });
});
