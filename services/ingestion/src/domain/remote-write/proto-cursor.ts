import { RemoteWriteDecodeError } from './remote-write-decode-error';

/** Protobuf wire types (https://protobuf.dev/programming-guides/encoding/#structure). */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

/** Field numbers above this are invalid protobuf (the tag's top 3 bits are the wire type). */
const MAX_FIELD_NUMBER = 0x1fffffff;
const TWO_POW_32 = 0x100000000;
/** 7 varint bytes hold 49 bits, which a double adds up exactly: the common (timestamp) case. */
const EXACT_FLOAT_VARINT_BYTES = 7;

/**
 * A bounds-checked forward reader over protobuf bytes. Every read takes the end of the enclosing message
 * so that nothing inside a sub-message can read into its parent; every overrun throws a precise error.
 */
export class ProtoCursor {
  pos = 0;
  protected readonly view: DataView;
  /** Results of the slow 64-bit varint path, kept as fields to avoid allocating a pair. */
  private varintLow = 0;
  private varintHigh = 0;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Reads a tag and returns it whole (`field << 3 | wireType`); rejects field 0 and oversized fields. */
  readTag(end: number): number {
    const pos = this.pos;
    if (pos < end) {
      const first = this.buf[pos];
      if (first < 0x80) {
        if (first < 8) this.invalidFieldNumber(first >>> 3);
        this.pos = pos + 1;
        return first;
      }
    }
    this.readVarint64Parts(end);
    const fieldNumber = this.varintHigh !== 0 ? -1 : this.varintLow >>> 3;
    if (fieldNumber < 1 || fieldNumber > MAX_FIELD_NUMBER) this.invalidFieldNumber(fieldNumber);
    return this.varintLow;
  }

  /** Reads the length prefix of a length-delimited field and checks the bytes are really there. */
  readLength(end: number): number {
    const pos = this.pos;
    let length: number;
    if (pos < end && this.buf[pos] < 0x80) {
      length = this.buf[pos];
      this.pos = pos + 1;
    } else {
      this.readVarint64Parts(end);
      length = this.varintHigh * TWO_POW_32 + this.varintLow;
    }
    if (length > end - this.pos) {
      this.fail('protobuf_truncated', `length-delimited field claims ${length} bytes but only ${end - this.pos} remain`);
    }
    return length;
  }

  /** Reads an int64 varint as a JS number (two's complement for negatives); exact within ±2^53. */
  readInt64(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < EXACT_FLOAT_VARINT_BYTES && pos < end; i++) {
      const byte = buf[pos++];
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        this.pos = pos;
        return result;
      }
      scale *= 128;
    }
    this.readVarint64Parts(end);
    // High word as signed gives two's complement; the sum is exact whenever the value is a safe integer.
    return (this.varintHigh | 0) * TWO_POW_32 + this.varintLow;
  }

  /** Reads a little-endian double; the caller has already checked 8 bytes remain. */
  readDoubleUnchecked(): number {
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  requireBytes(count: number, end: number, what: string): void {
    if (end - this.pos < count) {
      this.fail('protobuf_truncated', `${what} needs ${count} bytes but only ${end - this.pos} remain`);
    }
  }

  skipLengthDelimited(end: number): void {
    const length = this.readLength(end); // read first: `pos += readLength()` would add to the stale pos
    this.pos += length;
  }

  /** Skips one field of any valid wire type; groups (3, 4) and the unassigned types (6, 7) are refused. */
  skipField(tag: number, end: number): void {
    const wireType = tag & 7;
    switch (wireType) {
      case WIRE_VARINT:
        this.readVarint64Parts(end);
        return;
      case WIRE_FIXED64:
        this.requireBytes(8, end, `fixed64 field ${tag >>> 3}`);
        this.pos += 8;
        return;
      case WIRE_LENGTH_DELIMITED:
        this.skipLengthDelimited(end);
        return;
      case WIRE_FIXED32:
        this.requireBytes(4, end, `fixed32 field ${tag >>> 3}`);
        this.pos += 4;
        return;
      default:
        this.fail('protobuf_invalid_wire_type', `field ${tag >>> 3} has unsupported wire type ${wireType}`);
    }
  }

  /** Rejects a known field sent with the wrong wire type (as Prometheus' gogo-generated code does). */
  wrongWireType(tag: number, fieldName: string, expected: number): never {
    return this.fail(
      'protobuf_invalid_wire_type',
      `field ${fieldName} (${tag >>> 3}) has wire type ${tag & 7}, expected ${expected}`,
    );
  }

  fail(reason: RemoteWriteDecodeError['reason'], what: string): never {
    throw new RemoteWriteDecodeError(reason, `${what} (${this.describePosition()})`);
  }

  /** Where the cursor is, for error messages; decoders override it to name the series being read. */
  protected describePosition(): string {
    return `at byte ${this.pos}`;
  }

  /** Reads up to 10 varint bytes into low/high 32-bit words; a 10th byte above 1 overflows 64 bits. */
  private readVarint64Parts(end: number): void {
    let pos = this.pos;
    let low = 0;
    let high = 0;
    let byte = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      byte = this.byteAt(pos++, end);
      low |= (byte & 0x7f) << shift;
      if (byte < 0x80) return this.setVarint(pos, low, high);
    }
    byte = this.byteAt(pos++, end); // bits 28..34 straddle the two words
    low |= (byte & 0x0f) << 28;
    high = (byte & 0x7f) >>> 4;
    if (byte < 0x80) return this.setVarint(pos, low, high);
    for (let shift = 3; shift < 31; shift += 7) {
      byte = this.byteAt(pos++, end);
      high |= (byte & 0x7f) << shift;
      if (byte < 0x80) return this.setVarint(pos, low, high);
    }
    byte = this.byteAt(pos++, end); // the 10th byte may only carry bit 63
    if (byte > 1) {
      this.pos = pos - 10;
      this.fail('protobuf_varint_overflow', 'varint is longer than 10 bytes or exceeds 64 bits');
    }
    high |= byte << 31;
    return this.setVarint(pos, low, high);
  }

  private byteAt(pos: number, end: number): number {
    if (pos >= end) this.fail('protobuf_truncated', 'varint runs past the end of its message');
    return this.buf[pos];
  }

  private setVarint(pos: number, low: number, high: number): void {
    this.pos = pos;
    this.varintLow = low >>> 0;
    this.varintHigh = high >>> 0;
  }

  private invalidFieldNumber(fieldNumber: number): never {
    const shown = fieldNumber < 0 ? 'beyond 2^32' : String(fieldNumber);
    return this.fail('protobuf_invalid_field_number', `field number ${shown} is not a valid protobuf field number`);
  }
}
