/** Protobuf wire types used by prompb. */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;

const TWO_POW_32 = 0x100000000;

/**
 * A minimal two-pass protobuf writer: callers size each message first (the `*Size` helpers), then
 * write into one exactly-sized Buffer, so encoding a large fleet does not churn intermediate buffers.
 */
export class ProtobufWriter {
  private pos = 0;

  constructor(readonly buf: Buffer) {}

  get offset(): number {
    return this.pos;
  }

  tag(fieldNumber: number, wireType: number): this {
    return this.uint32((fieldNumber << 3) | wireType);
  }

  uint32(value: number): this {
    let remaining = value >>> 0;
    while (remaining > 0x7f) {
      this.buf[this.pos++] = (remaining & 0x7f) | 0x80;
      remaining >>>= 7;
    }
    this.buf[this.pos++] = remaining;
    return this;
  }

  /** int64 as protobuf does it: negative values are 10-byte two's complement varints. */
  int64(value: number): this {
    const { low, high } = int64Words(value);
    let lo = low;
    let hi = high;
    while (hi !== 0 || lo > 0x7f) {
      this.buf[this.pos++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.pos++] = lo;
    return this;
  }

  double(value: number): this {
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
    return this;
  }

  /** Eight raw little-endian bytes, for NaN payloads a JS number might not preserve. */
  fixed64Words(low: number, high: number): this {
    this.buf.writeUInt32LE(low >>> 0, this.pos);
    this.buf.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
    return this;
  }

  /** A length-delimited UTF-8 string whose byte length the caller already computed. */
  string(value: string, byteLength: number): this {
    this.uint32(byteLength);
    this.pos += this.buf.write(value, this.pos, byteLength, 'utf8');
    return this;
  }
}

export function uint32Size(value: number): number {
  let remaining = value >>> 0;
  let size = 1;
  while (remaining > 0x7f) {
    remaining >>>= 7;
    size++;
  }
  return size;
}

export function int64Size(value: number): number {
  if (value < 0) return 10; // sign-extended to 64 bits, so always the full 10 bytes
  let size = 1;
  for (let remaining = value; remaining >= 128; remaining = Math.floor(remaining / 128)) size++;
  return size;
}

/** Splits a safe integer into its 64-bit two's complement words. */
export function int64Words(value: number): { low: number; high: number } {
  if (!Number.isSafeInteger(value)) throw new RangeError(`int64 value ${value} is not a safe integer`);
  const magnitude = Math.abs(value);
  let low = magnitude % TWO_POW_32;
  let high = Math.floor(magnitude / TWO_POW_32);
  if (value < 0) {
    // Two's complement negate: invert both words, add one with carry from low into high.
    low = ~low >>> 0;
    high = ~high >>> 0;
    low = (low + 1) >>> 0;
    if (low === 0) high = (high + 1) >>> 0;
  }
  return { low: low >>> 0, high: high >>> 0 };
}
