/**
 * The local limit (1): snappy decompression plus the leanest WriteRequest walk. The walk is the one
 * in src/domain/remote-write/decode.bench.ts, copied verbatim between the markers below because
 * that file runs its own benchmark when imported. `bareWalkDrift()` compares the two copies so a
 * change to the original is noticed (and reported) instead of silently measuring something else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { uncompressSync } from 'snappy';
import { ProtoCursor } from '../src/domain/remote-write/proto-cursor';

const ORIGINAL = join(__dirname, '..', 'src', 'domain', 'remote-write', 'decode.bench.ts');

/** Snappy (the same native decompressor the service uses) + bare walk; returns a checksum. */
export function bareDecode(body: Buffer): number {
  return bareWalk(uncompressSync(body, { asBuffer: true, copyOutputData: true }) as Buffer);
}

// ---- copied from decode.bench.ts: begin ----
/**
 * Baseline: snappy output walked with the same cursor, touching every label byte (folded a word at a
 * time, as the decoder compares them), every double and every varint, building and validating nothing.
 */
function bareWalk(message: Uint8Array): number {
  const cursor = new ProtoCursor(message);
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  return walkMessage(cursor, view, message.length, 0);
}

function walkMessage(cursor: ProtoCursor, view: DataView, end: number, depth: number): number {
  let checksum = 0;
  while (cursor.pos < end) {
    const tag = cursor.readTag(end);
    const wireType = tag & 7;
    if (wireType === 2) {
      const length = cursor.readLength(end);
      const fieldEnd = cursor.pos + length;
      if (depth < 2) checksum += walkMessage(cursor, view, fieldEnd, depth + 1);
      else {
        checksum += foldBytes(view, cursor.pos, fieldEnd);
        cursor.pos = fieldEnd;
      }
    } else if (wireType === 1) {
      cursor.requireBytes(8, end, 'double');
      checksum += cursor.readDoubleUnchecked() > 0 ? 1 : 0;
    } else checksum += cursor.readInt64(end) & 1;
  }
  return checksum | 0;
}

function foldBytes(view: DataView, start: number, end: number): number {
  let folded = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) folded ^= view.getInt32(i, true);
  for (; i < end; i++) folded ^= view.getUint8(i);
  return folded & 1;
}
// ---- copied from decode.bench.ts: end ----

/** Undefined when the copy above matches the original; otherwise what differs. */
export function bareWalkDrift(): string | undefined {
  const extract = (text: string): string | undefined => {
    const start = text.indexOf('/**\n * Baseline: snappy output walked');
    const end = text.indexOf('\n}\n', text.indexOf('function foldBytes('));
    return start < 0 || end < 0 ? undefined : text.slice(start, end + 2).replace(/\s+/g, ' ');
  };
  let original: string | undefined;
  try {
    original = extract(readFileSync(ORIGINAL, 'utf8'));
  } catch (error) {
    return `cannot read ${ORIGINAL}: ${(error as Error).message}`;
  }
  const copy = extract(readFileSync(__filename.replace(/\.js$/, '.ts'), 'utf8'));
  if (original === undefined) return `the bare walk is no longer in ${ORIGINAL}`;
  return original === copy ? undefined : `the bare walk in ${ORIGINAL} changed since it was copied into ${__filename}`;
}

/** Snappy decompression alone: the floor under every decoder. */
export function snappyOnly(body: Buffer): number {
  return (uncompressSync(body, { asBuffer: true, copyOutputData: true }) as Buffer).length;
}

/**
 * Leaner than the bare walk: snappy + every TimeSeries and Sample field read, but label fields
 * skipped by their length without reading their bytes (what any decoder that recognises a label set
 * by a native hash/compare of its bytes has left to do in JavaScript).
 */
export function skipWalkDecode(body: Buffer): number {
  const message = uncompressSync(body, { asBuffer: true, copyOutputData: true }) as Buffer;
  const cursor = new ProtoCursor(message);
  const end = message.length;
  let checksum = 0;
  while (cursor.pos < end) {
    const tag = cursor.readTag(end);
    const length = cursor.readLength(end);
    if (tag !== 0x0a) {
      cursor.pos += length;
      continue;
    }
    const seriesEnd = cursor.pos + length;
    while (cursor.pos < seriesEnd) {
      const fieldTag = cursor.readTag(seriesEnd);
      const fieldLength = cursor.readLength(seriesEnd);
      if (fieldTag !== 0x12) {
        cursor.pos += fieldLength;
        continue;
      }
      const sampleEnd = cursor.pos + fieldLength;
      while (cursor.pos < sampleEnd) {
        const sampleTag = cursor.readTag(sampleEnd);
        if ((sampleTag & 7) === 1) {
          cursor.requireBytes(8, sampleEnd, 'double');
          checksum += cursor.readDoubleUnchecked() > 0 ? 1 : 0;
        } else checksum += cursor.readInt64(sampleEnd) & 1;
      }
    }
  }
  return checksum | 0;
}
