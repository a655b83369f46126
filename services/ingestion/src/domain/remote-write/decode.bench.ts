/**
 * Micro-benchmark for the remote_write decoder (not a test). Run from the repo root:
 *   node -r ./tools/register.js services/ingestion/src/domain/remote-write/decode.bench.ts [mode]
 * With no mode it runs every mode in its own child process, so one mode's JIT feedback
 * (e.g. a second interner class) cannot slow another down.
 */
import { execFileSync } from 'node:child_process';
import { uncompressSync } from 'snappy';
// Relative import on purpose: the package index also loads the Kafka/Postgres test infrastructure.
import {
  buildCadvisorFleet,
  encodeRemoteWriteBody,
  fleetWriteRequests,
} from '../../../../../libs/testing/src/remote-write';
import { decodeRemoteWrite } from './decode-write-request';
import type { Label, RemoteWriteLimits } from './decoded-write-request';
import { LabelInterner } from './label-interner';
import { isValidLabelName, isValidMetricName } from './prometheus-names';
import { ProtoCursor } from './proto-cursor';
import { decodeUtf8OrNull } from './utf8';

const FLEET_SERIES = 50_000;
const SERIES_PER_REQUEST = 2_000;
const REQUESTS = FLEET_SERIES / SERIES_PER_REQUEST; // cycle through the whole fleet
const WARMUP_MS = 1_500;
const ROUND_MS = 1_000;
const ROUNDS = 5;

const LIMITS: RemoteWriteLimits = {
  maxCompressedBytes: 16 << 20,
  maxDecompressedBytes: 64 << 20,
  maxSeriesPerRequest: 10_000,
  maxLabelsPerSeries: 40,
  maxLabelNameLength: 1_024,
  maxLabelValueLength: 2_048,
};

type Mode = 'snappy' | 'bare' | 'full-shared' | 'full-shared-strings' | 'full-per-request' | 'full-no-intern';
const MODES: Record<Mode, string> = {
  snappy: 'snappy only',
  bare: '(a) snappy + bare walk',
  'full-shared': '(b) full decode+validate (service setup)',
  'full-shared-strings': '    same, label-set cache off (strings only)',
  'full-per-request': '    same, fresh interner per request (cold)',
  'full-no-intern': '    same, no interning at all',
};

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

/** The decoder with interning defeated: every label is decoded and validated afresh. */
class NoInterning extends LabelInterner {
  private texts: string[] = [];
  private seen = new Map<string, number>();

  constructor() {
    super({ cacheLabelSets: false });
  }

  override intern(source: Uint8Array, start: number, end: number): number {
    const text = decodeUtf8OrNull(source, start, end);
    if (text === null) return -1;
    return this.texts.push(text) - 1;
  }
  override internName(_position: number, source: Uint8Array, start: number, end: number): number {
    return this.intern(source, start, end);
  }
  override internValue(_nameId: number, source: Uint8Array, start: number, end: number): number {
    return this.intern(source, start, end);
  }
  override labelFor(nameId: number, valueId: number): Label {
    return { name: this.texts[nameId], value: this.texts[valueId] };
  }
  override text(id: number): string {
    return this.texts[id];
  }
  override isMetricNameLabel(id: number): boolean {
    return this.texts[id] === '__name__';
  }
  override isValidLabelName(id: number): boolean {
    return isValidLabelName(this.texts[id]);
  }
  override isValidMetricName(id: number): boolean {
    return isValidMetricName(this.texts[id]);
  }
  override beginSeries(): number {
    this.texts.length = 0;
    this.seen.clear();
    return 1;
  }
  override markSeen(id: number, stamp: number): boolean {
    const text = this.texts[id];
    if (this.seen.get(text) === stamp) return true;
    this.seen.set(text, stamp);
    return false;
  }
}

function runner(mode: Mode): (body: Buffer) => number {
  const shared = new LabelInterner();
  const stringsOnly = new LabelInterner({ cacheLabelSets: false });
  const noInterning = new NoInterning();
  const uncompress = (body: Buffer): Buffer => uncompressSync(body, { asBuffer: true, copyOutputData: true }) as Buffer;
  switch (mode) {
    case 'snappy':
      return (body) => uncompress(body).length;
    case 'bare':
      return (body) => bareWalk(uncompress(body));
    case 'full-shared':
      return (body) => decodeRemoteWrite(body, LIMITS, { interner: shared }).sampleCount;
    case 'full-shared-strings':
      return (body) => decodeRemoteWrite(body, LIMITS, { interner: stringsOnly }).sampleCount;
    case 'full-per-request':
      return (body) => decodeRemoteWrite(body, LIMITS).sampleCount;
    case 'full-no-intern':
      return (body) => decodeRemoteWrite(body, LIMITS, { interner: noInterning }).sampleCount;
  }
}

interface Rate {
  /** Samples per wall-clock second: what a dedicated core would see. */
  readonly wall: number;
  /** Samples per second of this process's CPU time (GC helper threads included): robust on a busy box. */
  readonly cpu: number;
}

/** Decodes bodies round-robin for `durationMs`. */
function measure(run: (body: Buffer) => number, bodies: Buffer[], durationMs: number): Rate {
  let sink = 0;
  let requests = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(durationMs) * 1_000_000n;
  while (process.hrtime.bigint() < deadline) {
    sink ^= run(bodies[requests % bodies.length]);
    requests++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  if (sink === 0.5) console.log(sink); // keeps the result observable so nothing is optimised away
  const samples = requests * SERIES_PER_REQUEST;
  return { wall: samples / seconds, cpu: samples / ((cpu.user + cpu.system) / 1e6) };
}

/** Encoded bodies only: the fleet's ~700k label objects must not stay live and slow every full GC. */
function encodedRequests(): Buffer[] {
  const fleet = buildCadvisorFleet(FLEET_SERIES);
  return fleetWriteRequests(fleet, REQUESTS, { seriesPerRequest: SERIES_PER_REQUEST }).map(encodeRemoteWriteBody);
}

function runMode(mode: Mode): void {
  const bodies = encodedRequests();
  const run = runner(mode);
  measure(run, bodies, WARMUP_MS);
  const rounds = Array.from({ length: ROUNDS }, () => measure(run, bodies, ROUND_MS));
  const sorted = (values: number[]): number[] => values.sort((a, b) => a - b);
  const wall = sorted(rounds.map((rate) => rate.wall));
  const cpu = sorted(rounds.map((rate) => rate.cpu));
  const bodyBytes = bodies.reduce((sum, body) => sum + body.length, 0) / bodies.length;
  const result: ModeResult = { mode, median: wall[ROUNDS >> 1], best: wall[ROUNDS - 1], cpu: cpu[ROUNDS >> 1], bodyBytes };
  console.log(JSON.stringify(result));
}

interface ModeResult {
  readonly mode: Mode;
  /** Median and best wall-clock rate of the rounds; best is the least disturbed on a shared machine. */
  readonly median: number;
  readonly best: number;
  /** Median rate per CPU-second. */
  readonly cpu: number;
  readonly bodyBytes: number;
}

function runAll(): void {
  const results = new Map<Mode, ModeResult>();
  console.log(`${SERIES_PER_REQUEST}-series × 1-sample cAdvisor requests cycled over a ${FLEET_SERIES}-series fleet; samples/s over ${ROUNDS} rounds`);
  console.log(`${''.padEnd(48)} ${'median'.padStart(11)} ${'best'.padStart(11)} ${'per CPU-s'.padStart(11)}`);
  for (const mode of Object.keys(MODES) as Mode[]) {
    const output = execFileSync(process.execPath, [...process.execArgv, __filename, mode], { encoding: 'utf8' });
    const result = JSON.parse(output.trim().split('\n').pop() ?? '{}') as ModeResult;
    results.set(mode, result);
    if (mode === 'snappy') console.log(`(mean body ${Math.round(result.bodyBytes / 1024)} KiB snappy)`);
    console.log(`${MODES[mode].padEnd(48)} ${formatRate(result.median)} ${formatRate(result.best)} ${formatRate(result.cpu)}`);
  }
  const full = results.get('full-shared');
  const bare = results.get('bare');
  if (full && bare) {
    const ratio = (pick: (result: ModeResult) => number): string => (pick(full) / pick(bare)).toFixed(2);
    console.log(`full (service setup) / bare walk: ${ratio((r) => r.median)}× median, ${ratio((r) => r.best)}× best, ${ratio((r) => r.cpu)}× CPU`);
  }
}

function formatRate(samplesPerSecond: number): string {
  return Math.round(samplesPerSecond).toLocaleString('en-US').padStart(11);
}

const requested = process.argv[2] as Mode | undefined;
if (requested !== undefined && requested in MODES) runMode(requested);
else runAll();
