/**
 * Measurements (1) and (2): single-thread decoding throughput, each variant in its own child process
 * (one variant's JIT feedback cannot slow another down, as in decode.bench.ts), with the rounds of all
 * variants interleaved so that load from other jobs on the machine hits baseline and candidate alike.
 * Rates are samples per CPU-second of the child (all its threads: GC helpers included), which is
 * what a core delivers; the wall-clock rate is reported beside it.
 *
 * Run as a child: `decode-throughput.ts --child <fleet> <mode>` (the parent forks it).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { decodeRemoteWrite, LabelInterner, type RemoteWriteLimits } from '../src/domain/remote-write';
import { EntityMappingCache, seriesToEntities } from '../src/domain/series-to-entities';
import { WritePreparer } from '../src/domain/prepare-write';
import { compileRelabelConfigs, type RelabelConfigInput } from '../src/domain/relabel';
import { TOPICS } from '../../../libs/contracts/src/topics';
import { bareDecode, skipWalkDecode, snappyOnly } from './bare-walk';
import { libraryBodies, SERIES_PER_REQUEST, type FleetKind } from './fleets';
import { loadRelabelHook, TYPICAL_RELABEL_RULES } from './relabel-hook';

export type DecodeMode = 'snappy' | 'skip-walk' | 'bare' | 'decode-only' | 'decode-relabel' | 'decode-relabel-map' | 'prepare';

export const DECODE_MODES: Record<DecodeMode, string> = {
  snappy: '    snappy decompression only (floor)',
  'skip-walk': '    snappy + series/sample walk, labels skipped',
  bare: '(1) snappy + bare walk (local limit)',
  'decode-only': '    decode + validate (no relabel)',
  'decode-relabel': '(2) decode + validate + relabel',
  'decode-relabel-map': '    (2) + map to entities (seriesToEntities)',
  prepare: '    a decode thread\'s whole job (WritePreparer: + fingerprints, envelopes)',
};

/** The service's limits (remote-write.service.ts with the config defaults). */
const SERVICE_LIMITS: RemoteWriteLimits = {
  maxCompressedBytes: 10 * 1024 * 1024,
  maxDecompressedBytes: 64 * 1024 * 1024,
  maxSeriesPerRequest: 50_000,
  maxLabelsPerSeries: 64,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 4096,
};

export interface DecodeRate {
  readonly fleet: FleetKind;
  readonly mode: DecodeMode;
  /** Median over rounds of samples per CPU-second of the child process. */
  readonly samplesPerCpuSecond: number;
  /** Median over rounds of samples per wall-clock second. */
  readonly samplesPerWallSecond: number;
  readonly rounds: number;
  readonly relabel?: string;
}

interface RoundResult {
  readonly samples: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

type ParentMessage = { cmd: 'run'; ms: number } | { cmd: 'exit' };
type ChildMessage = { type: 'ready'; relabel?: string } | { type: 'round'; result: RoundResult } | { type: 'error'; message: string };

// ---------------------------------------------------------------- child side

function runner(mode: DecodeMode): { run: (body: Buffer) => number; relabel?: string } {
  if (mode === 'snappy') return { run: snappyOnly };
  if (mode === 'skip-walk') return { run: skipWalkDecode };
  if (mode === 'bare') return { run: bareDecode };
  if (mode === 'prepare') {
    // What one decode thread of the service does per request, with the same relabel rules.
    const rules = compileRelabelConfigs(JSON.parse(JSON.stringify(TYPICAL_RELABEL_RULES)) as RelabelConfigInput[]);
    const preparer = new WritePreparer({ limits: SERVICE_LIMITS, defaultCluster: 'default', relabelOf: () => rules });
    const partitions = TOPICS.metricsSamples.partitions;
    const run = (body: Buffer) => {
      const prepared = preparer.prepare({ tenant: 'bench', body, partitions, receivedAtMs: Date.now(), source: 'remote_write' });
      if (!prepared.ok) throw new Error(`${prepared.reason}: ${prepared.message}`);
      return prepared.decodedSamples;
    };
    return { run, relabel: `applied: compileRelabelConfigs(${TYPICAL_RELABEL_RULES.length} rules) in WritePreparer` };
  }
  const interner = new LabelInterner(); // one per thread, as each decode thread holds it
  if (mode === 'decode-only') return { run: (body) => decodeRemoteWrite(body, SERVICE_LIMITS, { interner }).sampleCount };
  const hook = loadRelabelHook();
  const relabel = `${hook.status}: ${hook.detail}`;
  const apply = hook.apply;
  const decodeRelabel = (body: Buffer) => {
    const decoded = decodeRemoteWrite(body, SERVICE_LIMITS, { interner });
    if (!apply) return decoded.series;
    const kept = [];
    for (const series of decoded.series) {
      const labels = apply(series.labels);
      if (labels !== null) kept.push(labels === series.labels ? series : { ...series, labels });
    }
    return kept;
  };
  if (mode === 'decode-relabel') return { run: (body) => decodeRelabel(body).length, relabel };
  // As the service does: entity identities cached per decoded label set (unchanged by relabelling).
  const cache = new EntityMappingCache();
  return {
    run: (body) => seriesToEntities('bench', 'default', decodeRelabel(body), cache).acceptedSamples,
    relabel,
  };
}

function childMain(fleet: FleetKind, mode: DecodeMode): void {
  const send = (message: ChildMessage) => process.send!(message);
  let bodies: Buffer[];
  let run: (body: Buffer) => number;
  let relabel: string | undefined;
  try {
    bodies = libraryBodies(fleet);
    ({ run, relabel } = runner(mode));
  } catch (error) {
    send({ type: 'error', message: (error as Error).stack ?? String(error) });
    return;
  }
  let next = 0;
  let sink = 0;
  process.once('disconnect', () => process.exit(0));
  process.on('message', (message: ParentMessage) => {
    if (message.cmd === 'exit') process.exit(0);
    try {
      let requests = 0;
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      const deadline = start + BigInt(message.ms) * 1_000_000n;
      while (process.hrtime.bigint() < deadline) {
        sink ^= run(bodies[next]);
        next = (next + 1) % bodies.length;
        requests++;
      }
      const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
      const used = process.cpuUsage(cpu);
      if (sink === 0.5) console.log(sink); // keeps the result observable
      send({ type: 'round', result: { samples: requests * SERIES_PER_REQUEST, wallSeconds, cpuSeconds: (used.user + used.system) / 1e6 } });
    } catch (error) {
      send({ type: 'error', message: (error as Error).stack ?? String(error) });
    }
  });
  send({ type: 'ready', relabel });
}

// ---------------------------------------------------------------- parent side

interface Variant {
  readonly fleet: FleetKind;
  readonly mode: DecodeMode;
  readonly child: ChildProcess;
  readonly rounds: RoundResult[];
  relabel?: string;
}

function nextMessage(variant: Variant, timeoutMs: number): Promise<ChildMessage> {
  return new Promise((resolveMessage, reject) => {
    const timer = setTimeout(() => finish(new Error(`${variant.fleet}/${variant.mode} did not answer within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: ChildMessage) => finish(undefined, message);
    const onExit = (code: number | null) => finish(new Error(`${variant.fleet}/${variant.mode} exited (code ${code})`));
    const finish = (error?: Error, message?: ChildMessage) => {
      clearTimeout(timer);
      variant.child.off('message', onMessage);
      variant.child.off('exit', onExit);
      if (error) reject(error);
      else if (message!.type === 'error') reject(new Error(`${variant.fleet}/${variant.mode}: ${message!.message}`));
      else resolveMessage(message!);
    };
    variant.child.on('message', onMessage);
    variant.child.once('exit', onExit);
  });
}

async function runRound(variant: Variant, ms: number): Promise<RoundResult> {
  const answer = nextMessage(variant, ms + 30_000);
  variant.child.send({ cmd: 'run', ms } satisfies ParentMessage);
  const message = await answer;
  if (message.type !== 'round') throw new Error(`unexpected ${message.type} from ${variant.fleet}/${variant.mode}`);
  return message.result;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export interface DecodeThroughputOptions {
  readonly variants: readonly { fleet: FleetKind; mode: DecodeMode }[];
  readonly warmupMs: number;
  readonly roundMs: number;
  readonly rounds: number;
  readonly progress: (line: string) => void;
  /** Children started, so the caller can stop them on SIGINT. */
  readonly track: (child: ChildProcess) => void;
}

export async function measureDecodeThroughput(options: DecodeThroughputOptions): Promise<DecodeRate[]> {
  const variants: Variant[] = options.variants.map(({ fleet, mode }) => {
    const child = fork(__filename, ['--child', fleet, mode], {
      execArgv: ['-r', join(__dirname, '..', '..', '..', 'tools', 'register.js')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    options.track(child);
    return { fleet, mode, child, rounds: [] };
  });
  try {
    // Build bodies one child at a time would be slower; they build in parallel and then wait idle.
    for (const variant of variants) {
      const ready = await nextMessage(variant, 120_000);
      if (ready.type === 'ready') variant.relabel = ready.relabel;
    }
    for (const variant of variants) await runRound(variant, options.warmupMs);
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order each round so no variant always runs right after the same neighbour.
      for (let k = 0; k < variants.length; k++) {
        const variant = variants[(k + round) % variants.length];
        variant.rounds.push(await runRound(variant, options.roundMs));
      }
      options.progress(`  decode round ${round + 1}/${options.rounds} done`);
    }
  } finally {
    for (const variant of variants) {
      if (variant.child.connected) variant.child.send({ cmd: 'exit' } satisfies ParentMessage);
      setTimeout(() => variant.child.kill('SIGKILL'), 5_000).unref();
    }
  }
  return variants.map((variant) => ({
    fleet: variant.fleet,
    mode: variant.mode,
    samplesPerCpuSecond: median(variant.rounds.map((r) => r.samples / r.cpuSeconds)),
    samplesPerWallSecond: median(variant.rounds.map((r) => r.samples / r.wallSeconds)),
    rounds: variant.rounds.length,
    relabel: variant.relabel,
  }));
}

if (process.argv[2] === '--child') childMain(process.argv[3] as FleetKind, process.argv[4] as DecodeMode);
