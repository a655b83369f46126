/**
 * Ingestion benchmark (not a test). From the repository root:
 *   node -r ./tools/register.js services/ingestion/bench/ingest-bench.ts [options]
 * In one run, on realistic remote_write payloads (2 000 one-sample series per request, ~13 labels,
 * a 50 000-series fleet cycled with rising timestamps):
 *   (1) the local limit: snappy + the leanest WriteRequest walk, one thread;
 *   (2) Prescient's decode + validate + relabel, one thread (samples/s/core and its ratio to (1));
 *   (3) Prescient end to end: HTTP in → the real service → the real Kafka broker (acks=all) → 204,
 *       under a bounded load from a separate process over loopback;
 *   (4) Debian's Prometheus (remote-write receiver) under the same load, as the peer.
 * Both (3) and (4) run twice: on workload-aggregated CPU series (mapped to entities: published) and
 * on raw cAdvisor series (unmapped: decoded, validated, counted, not published). Baselines are
 * measured in the same run, interleaved, and every figure is also a ratio to its baseline, because
 * the machine is shared. Prints a table, writes bench-results/ingest.json; when (3) is below (4) it
 * profiles the ingestion process in an extra pass and summarises the top frames. See README.md.
 */
import { ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { TOPICS } from '../../../libs/contracts/src/topics';
import { startLocalKafka, type LocalKafka } from '../../../libs/testing/src/infra/kafka-local';
import { commandExists, ManagedProcess } from '../../../libs/testing/src/infra/managed-process';
import { logDir, REPO_ROOT } from '../../../libs/testing/src/infra/paths';
import { freePort, waitUntil } from '../../../libs/testing/src/infra/ports';
import { startLocalPostgres, type LocalPostgres } from '../../../libs/testing/src/infra/postgres-local';
import { startServiceProcess, type ServiceProcess } from '../../../libs/testing/src/service-process';
import { bareWalkDrift } from './bare-walk';
import { formatProfileSummary, summariseCpuProfile, type ProfileSummary } from './cpu-profile-summary';
import { DECODE_MODES, measureDecodeThroughput, type DecodeMode, type DecodeRate } from './decode-throughput';
import { FLEET_SERIES, REQUESTS_PER_CYCLE, SERIES_PER_REQUEST, WORKLOAD_CPU_METRIC, type FleetKind } from './fleets';
import type { LoadConfig, LoadMessage, LoadResult } from './load-generator';
import { TYPICAL_RELABEL_RULES } from './relabel-hook';
import { childPids, machineCpu, processCpuSeconds, treeCpuSeconds, type MachineCpu } from './proc-stats';

const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';
/** The chart's NODE_OPTIONS for ingestion: the receiver is measured as deployed. */
const INGESTION_NODE_OPTIONS = '--max-semi-space-size=64';
const TENANT = 'bench';
const ROLLUP_GROUP = 'ingestion-rollups';
const SAMPLES_TOPIC = TOPICS.metricsSamples.name;

// ------------------------------------------------------------------------------------------ options

type RollupsMode = 'after' | 'concurrent' | 'inline' | 'none';

interface Args {
  durationMs: number;
  warmupMs: number;
  shards: number;
  decodeRounds: number;
  profile: boolean;
  skipDecode: boolean;
  skipEndToEnd: boolean;
  /**
   * Where the rollups consumer runs: `after` (default) — not during (3), which measures what the
   * issue defines, HTTP in to acknowledged; it then drains the whole backlog alone and its rate is
   * reported apart; `concurrent` — its own process during (3), on the same two cores; `inline` — in
   * the receiver's process (every role in one process); `none` — never (quicker experiments).
   */
  rollups: RollupsMode;
  /**
   * Times each (4)-then-(3) pair runs per fleet, interleaved; the targets compare medians (runs on
   * this shared machine vary by ±15 % and more), every run is printed.
   */
  pairs: number;
  /** REMOTE_WRITE_DECODE_THREADS of the receiver; undefined: the service's default. */
  decodeThreads: number | undefined;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    durationMs: 20_000,
    warmupMs: 5_000,
    shards: 5,
    decodeRounds: 7,
    profile: true,
    skipDecode: false,
    skipEndToEnd: false,
    rollups: 'after',
    pairs: 3,
    decodeThreads: undefined,
    out: join(REPO_ROOT, 'bench-results', 'ingest.json'),
  };
  const number = (value: string | undefined, flag: string, min: number, max: number): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${flag} needs a number in [${min}, ${max}]`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--duration') args.durationMs = number(argv[++i], a, 5, 120) * 1000;
    else if (a === '--warmup') args.warmupMs = number(argv[++i], a, 1, 60) * 1000;
    else if (a === '--shards') args.shards = number(argv[++i], a, 1, 16);
    else if (a === '--decode-rounds') args.decodeRounds = number(argv[++i], a, 3, 30);
    else if (a === '--no-profile') args.profile = false;
    else if (a === '--skip-decode') args.skipDecode = true;
    else if (a === '--skip-e2e') args.skipEndToEnd = true;
    else if (a === '--rollups') {
      const mode = argv[++i];
      if (mode !== 'after' && mode !== 'concurrent' && mode !== 'inline' && mode !== 'none') throw new Error('--rollups needs after, concurrent, inline or none');
      args.rollups = mode;
    }
    else if (a === '--pairs') args.pairs = number(argv[++i], a, 1, 9);
    else if (a === '--decode-threads') args.decodeThreads = number(argv[++i], a, 0, 64);
    else if (a === '--out') args.out = resolve(argv[++i]);
    else {
      throw new Error(
        `unknown argument ${a}; expected --duration S (20), --warmup S (5), --shards N (5), --decode-rounds N (7), --no-profile, --skip-decode, --skip-e2e, --rollups after|concurrent|inline|none (after), --pairs N (3), --decode-threads N (the service's default), --out FILE`,
      );
    }
  }
  return args;
}

// ------------------------------------------------------------------------------------------ cleanup

/** Everything started, stopped in reverse order at the end, on error and on SIGINT/SIGTERM. */
const cleanups: { name: string; stop: () => Promise<unknown> }[] = [];
let cleaning: Promise<void> | undefined;

function onCleanup(name: string, stop: () => Promise<unknown>): () => void {
  const entry = { name, stop };
  cleanups.push(entry);
  return () => {
    const index = cleanups.indexOf(entry);
    if (index >= 0) cleanups.splice(index, 1);
  };
}

function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const { name, stop } = cleanups.pop()!;
      await withTimeout(stop(), 40_000, `stopping ${name}`).catch((error: Error) => progress(`warning: ${error.message}`));
    }
  })();
  return cleaning;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
      timer.unref();
    }),
  ]);
}

/** Kills `pid` if this process dies without stopping it (a crash or kill -9 must leave nothing behind). */
function watchdog(pid: number): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -TERM ${pid} 2>/dev/null; sleep 5; kill -KILL ${pid} 2>/dev/null; exit 0`;
  spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
}

function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit();
    });
    child.kill('SIGTERM');
  });
}

const startedAt = Date.now();
function progress(line: string): void {
  process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
}

// ------------------------------------------------------------------------------------------ infra

interface Prometheus {
  readonly url: string;
  readonly pid: number;
  readonly version: string;
  stop(): Promise<void>;
}

async function startPrometheus(): Promise<Prometheus> {
  if (!commandExists(PROMETHEUS_BIN)) {
    throw new Error(`${PROMETHEUS_BIN} not found: install Debian's prometheus (apt-get install -y prometheus) or set PROMETHEUS_BIN`);
  }
  const version = execFileSync(PROMETHEUS_BIN, ['--version'], { encoding: 'utf8' }).split('\n')[0].replace(/^prometheus, version /, '').trim();
  const dir = join(tmpdir(), 'prescient', `prometheus-bench-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  const port = await freePort();
  const logFile = join(logDir(), `prometheus-bench-${port}.log`);
  const server = new ManagedProcess({
    name: 'prometheus',
    command: PROMETHEUS_BIN,
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ],
    logFile,
    stopSignal: 'SIGTERM',
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(`Prometheus at ${url}`, async () => (await fetch(`${url}/-/ready`)).status === 200, { timeoutMs: 60_000, abort: () => server.exitReason() });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: server.pid!, version, stop };
}

interface Ingestion {
  readonly service: ServiceProcess;
  readonly url: string;
  readonly pid: number;
  /** The ingestion-rollups consumer in a process of its own (INGESTION_ROLES=rollups), unless --single-process. */
  readonly rollups?: ServiceProcess;
}

/**
 * The bench tenant's limits, set far above the offered load as an operator would for a fleet this
 * size: the limiter still runs on every request (its cost is measured), it just never refuses.
 */
function benchTenantsFile(): string {
  const file = join(tmpdir(), `prescient-bench-tenants-${process.pid}.json`);
  const limits = { maxActiveSeries: 1_000_000, maxSamplesPerSecond: 100_000_000, burstSamples: 1_000_000_000, activeWindowMinutes: 20 };
  writeFileSync(file, JSON.stringify({ tenants: { [TENANT]: { limits } } }));
  return file;
}

/**
 * The receiver under test and, apart from it as a fleet this size would run it, the rollups
 * consumer (its CPU is listed in a column of its own). --single-process runs every role in one.
 */
async function startIngestion(kafka: LocalKafka, postgres: LocalPostgres, { rollups: mode, decodeThreads }: Pick<Args, 'rollups' | 'decodeThreads'>, cpuProfileDir?: string): Promise<Ingestion> {
  const env: NodeJS.ProcessEnv = {
    KAFKA_BROKERS: kafka.brokers,
    DATABASE_URL: postgres.databaseUrl,
    HTTP_PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    INGESTION_TENANTS_FILE: benchTenantsFile(),
    INGESTION_ROLES: mode === 'inline' ? 'receiver,rollups,collectors' : 'receiver',
  };
  if (decodeThreads !== undefined) env.REMOTE_WRITE_DECODE_THREADS = String(decodeThreads);
  // As the chart runs it (charts/prescient/values.yaml, components.ingestion.env).
  env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${INGESTION_NODE_OPTIONS}`.trim();
  if (cpuProfileDir) {
    // Node 20 refuses --cpu-prof in NODE_OPTIONS: a preload drives the inspector's profiler instead.
    env.NODE_OPTIONS = `${env.NODE_OPTIONS} --require ${join(__dirname, 'cpu-profile-preload.js')}`;
    env.PRESCIENT_CPU_PROFILE_DIR = cpuProfileDir;
  }
  const rollups = mode === 'concurrent' ? await startRollups(kafka, postgres) : undefined;
  const service = await startServiceProcess('ingestion', 'services/ingestion/src/main.ts', env);
  watchdog(service.child.pid!);
  return { service, url: `http://127.0.0.1:${service.httpPort}`, pid: service.child.pid!, rollups };
}

/** The ingestion-rollups consumer group in a process of its own (INGESTION_ROLES=rollups). */
async function startRollups(kafka: LocalKafka, postgres: LocalPostgres): Promise<ServiceProcess> {
  const rollups = await startServiceProcess('ingestion-rollups', 'services/ingestion/src/main.ts', { KAFKA_BROKERS: kafka.brokers, DATABASE_URL: postgres.databaseUrl, HTTP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', INGESTION_ROLES: 'rollups' });
  watchdog(rollups.child.pid!);
  return rollups;
}

/**
 * With `--rollups after`: the rollups consumer, started once the load is over, drains everything
 * the receiver published, alone; its rate (samples folded and written per second) and CPU are what
 * a fleet of this size needs behind its receivers.
 */
async function measureRollupDrain(kafka: LocalKafka, postgres: LocalPostgres, admin: Admin, receiverUrl: string, postgresPid: number): Promise<RollupDrain> {
  const published = (await scrapeCounters(receiverUrl, ['prescient_ingestion_samples_published_total'])).prescient_ingestion_samples_published_total;
  const messages = await topicEndOffsets(admin);
  // Timed from before the process starts (its start-up counts against it: a conservative rate).
  const started = Date.now();
  const postgresCpu0 = treeCpuSeconds(postgresPid);
  const rollups = await startRollups(kafka, postgres);
  const pid = rollups.child.pid!;
  try {
    let lag = await rollupLag(admin).catch(() => messages);
    while (lag > 0 && Date.now() - started < 600_000) {
      await new Promise((r) => setTimeout(r, 250));
      lag = await rollupLag(admin).catch(() => lag);
    }
    const seconds = (Date.now() - started) / 1000;
    const cores = ((processCpuSeconds(pid) ?? 0) + treeCpuSeconds(postgresPid) - postgresCpu0) / seconds;
    return { samples: published, messages, seconds, lagLeft: lag, samplesPerSecond: lag === 0 ? published / seconds : undefined, cores };
  } finally {
    await withTimeout(rollups.stop(), 35_000, 'stopping rollups').catch(() => rollups.child.kill('SIGKILL'));
  }
}

interface RollupDrain {
  samples: number;
  messages: number;
  seconds: number;
  lagLeft: number;
  samplesPerSecond: number | undefined;
  /** Rollups process and PostgreSQL together. */
  cores: number;
}

async function stopIngestion(ingestion: Ingestion): Promise<void> {
  for (const [name, service] of [['ingestion', ingestion.service], ['rollups', ingestion.rollups]] as const) {
    if (!service) continue;
    await withTimeout(service.stop(), 35_000, `stopping ${name}`).catch(async (error: Error) => {
      progress(`warning: ${error.message}; killing it`);
      service.child.kill('SIGKILL');
    });
  }
}

function kafkaAdmin(brokers: string): Admin {
  return new Kafka({ clientId: 'ingest-bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
}

async function topicEndOffsets(admin: Admin): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(SAMPLES_TOPIC);
  return offsets.reduce((sum, p) => sum + Number(p.high), 0);
}

/** Messages on metrics.samples.v2 the rollup consumer group has not committed yet. */
async function rollupLag(admin: Admin): Promise<number> {
  const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(SAMPLES_TOPIC), admin.fetchOffsets({ groupId: ROLLUP_GROUP, topics: [SAMPLES_TOPIC] })]);
  const done = new Map<number, number>();
  for (const topic of committed) for (const p of topic.partitions) done.set(p.partition, Math.max(0, Number(p.offset)));
  return ends.reduce((sum, p) => sum + Math.max(0, Number(p.high) - (done.get(p.partition) ?? 0)), 0);
}

/** Sum of every series of a counter in Prometheus text exposition. */
async function scrapeCounters(url: string, names: readonly string[]): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const values: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    for (const name of names) {
      if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) {
        values[name] += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
    }
  }
  return values;
}

const INGESTION_COUNTERS = [
  'prescient_ingestion_samples_received_total',
  'prescient_ingestion_samples_published_total',
  'prescient_ingestion_series_unmapped_total',
  'prescient_ingestion_kafka_messages_published_total',
  'prescient_ingestion_remote_write_rejected_total',
] as const;
const PROMETHEUS_COUNTERS = ['prometheus_tsdb_head_samples_appended_total', 'prometheus_tsdb_out_of_order_samples_total', 'prometheus_tsdb_head_series_created_total'] as const;

// ------------------------------------------------------------------------------------------ phases

type Receiver = 'prescient' | 'prometheus';

interface ProcessCpu {
  readonly name: string;
  readonly cpuSeconds: number;
  readonly cores: number;
}

interface PhaseResult {
  readonly receiver: Receiver;
  readonly fleet: FleetKind;
  readonly load: LoadResult;
  readonly processes: ProcessCpu[];
  /** Busy CPU of the whole machine in the window, and what no process of this benchmark used. */
  readonly machineCores: number;
  readonly otherCores: number;
  readonly loadAverage: number[];
  readonly counters: Record<string, number>;
  readonly kafkaMessages?: number;
  readonly rollupLagAtEnd?: number;
  /** CLOCK_MONOTONIC window in microseconds (to cut a CPU profile). */
  readonly windowUs: [number, number];
}

interface Watched {
  readonly name: string;
  readonly cpu: () => number | undefined;
}

interface Env {
  readonly args: Args;
  readonly ingestion: () => Ingestion | undefined;
  readonly prometheus: Prometheus;
  readonly kafka: LocalKafka;
  readonly kafkaPid: number;
  readonly postgresPid: number;
  readonly admin: Admin;
}

function headersFor(receiver: Receiver): Record<string, string> {
  return {
    'content-type': 'application/x-protobuf',
    'content-encoding': 'snappy',
    'x-prometheus-remote-write-version': '0.1.0',
    'user-agent': 'Prometheus/2.42.0',
    ...(receiver === 'prescient' ? { 'x-prescient-tenant': TENANT } : {}),
  };
}

async function runPhase(env: Env, receiver: Receiver, fleet: FleetKind): Promise<PhaseResult> {
  const ingestion = env.ingestion();
  const target = receiver === 'prescient' ? ingestion!.url : env.prometheus.url;
  progress(`phase ${receiver} ← ${fleet} series: building bodies, warm-up ≥ ${env.args.warmupMs / 1000} s and ≥ 2 fleet cycles, then ${env.args.durationMs / 1000} s measured`);
  const watched: Watched[] = [
    ...(ingestion ? [{ name: 'ingestion', cpu: () => processCpuSeconds(ingestion.pid) }] : []),
    ...(ingestion?.rollups ? [{ name: 'rollups', cpu: () => processCpuSeconds(ingestion.rollups!.child.pid!) }] : []),
    { name: 'kafka', cpu: () => processCpuSeconds(env.kafkaPid) },
    { name: 'postgres', cpu: () => treeCpuSeconds(env.postgresPid) },
    { name: 'prometheus', cpu: () => processCpuSeconds(env.prometheus.pid) },
  ];
  const counterUrl = receiver === 'prescient' ? ingestion!.url : env.prometheus.url;
  const counterNames = receiver === 'prescient' ? INGESTION_COUNTERS : PROMETHEUS_COUNTERS;

  const config: LoadConfig = {
    url: `${target}/api/v1/write`,
    headers: headersFor(receiver),
    fleet,
    shards: env.args.shards,
    warmupMinMs: env.args.warmupMs,
    warmupMaxMs: Math.max(env.args.warmupMs, 60_000),
    warmupMinCycles: 2,
    durationMs: env.args.durationMs,
    maxRequests: 200_000,
    requestTimeoutMs: 30_000,
  };
  const child = fork(join(__dirname, 'load-generator.ts'), [], {
    execArgv: ['-r', join(REPO_ROOT, 'tools', 'register.js')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const forget = onCleanup('load generator', () => killChild(child));
  const all: Watched[] = [...watched, { name: 'load generator', cpu: () => processCpuSeconds(child.pid!) }, { name: 'bench (this process)', cpu: () => processCpuSeconds(process.pid) }];

  let before: { cpu: (number | undefined)[]; machine: MachineCpu; counters: Record<string, number>; offsets?: number; at: bigint } | undefined;
  let after: { cpu: (number | undefined)[]; machine: MachineCpu; at: bigint } | undefined;
  const result = await new Promise<LoadResult>((resolveResult, reject) => {
    const timer = setTimeout(() => reject(new Error(`load generator gave no result within ${(config.warmupMaxMs + config.durationMs) / 1000 + 120} s`)), config.warmupMaxMs + config.durationMs + 120_000);
    child.on('message', (message: LoadMessage) => {
      if (message.type === 'ready') progress(`  load generator ready (${message.bodies} bodies per fleet cycle), warming up`);
      else if (message.type === 'window-start') {
        const at = process.hrtime.bigint();
        before = { cpu: all.map((w) => w.cpu()), machine: machineCpu(), counters: {}, at };
        // Counters and offsets are read asynchronously; a few ms of skew against a 20 s window.
        void scrapeCounters(counterUrl, counterNames).then((c) => (before!.counters = c), () => undefined);
        if (receiver === 'prescient') void topicEndOffsets(env.admin).then((o) => (before!.offsets = o), () => undefined);
      } else if (message.type === 'window-end') {
        after = { cpu: all.map((w) => w.cpu()), machine: machineCpu(), at: process.hrtime.bigint() };
      } else if (message.type === 'result') {
        clearTimeout(timer);
        resolveResult(message.result);
      } else if (message.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`load generator: ${message.message}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`load generator exited (code ${code}) before reporting`));
    });
    child.send({ cmd: 'start', config });
  });
  await killChild(child);
  forget();
  if (!before || !after) throw new Error('load generator reported without a window');
  const windowSeconds = Number(after.at - before.at) / 1e9;
  const counters = await scrapeCounters(counterUrl, counterNames);
  const deltas = Object.fromEntries(Object.entries(counters).map(([k, v]) => [k, v - (before!.counters[k] ?? 0)]));
  const processes = all.map((w, i) => {
    const cpuSeconds = (after!.cpu[i] ?? NaN) - (before!.cpu[i] ?? NaN);
    return { name: w.name, cpuSeconds, cores: cpuSeconds / windowSeconds };
  });
  const machineCores = (after.machine.busySeconds - before.machine.busySeconds) / windowSeconds;
  const ours = processes.reduce((sum, p) => sum + (Number.isFinite(p.cores) ? p.cores : 0), 0);
  let kafkaMessages: number | undefined;
  let lag: number | undefined;
  if (receiver === 'prescient') {
    kafkaMessages = before.offsets === undefined ? undefined : (await topicEndOffsets(env.admin)) - before.offsets;
    lag = await rollupLag(env.admin).catch(() => undefined);
  }
  const toUs = (t: bigint) => Number(t / 1000n);
  progress(
    `  ${receiver} ← ${fleet}: ${fmtRate(result.samplesPerSecond)} samples/s, p99 ${fmtMs(result.latencyMs.p99)} ms, ${result.requestsOk} ok, ${sumValues(result.non2xx)} non-2xx, ${result.errors} errors`,
  );
  return {
    receiver,
    fleet,
    load: result,
    processes,
    machineCores,
    otherCores: Math.max(0, machineCores - ours),
    loadAverage: loadavg(),
    counters: deltas,
    kafkaMessages,
    rollupLagAtEnd: lag,
    windowUs: [toUs(before.at), toUs(after.at)],
  };
}

/** Waits (bounded) until the rollup consumer caught up, so the next phase does not pay for this one. */
async function drainRollups(admin: Admin, maxMs: number): Promise<{ lag: number; waitedMs: number }> {
  const start = Date.now();
  let lag = await rollupLag(admin).catch(() => -1);
  while (lag > 0 && Date.now() - start < maxMs) {
    await new Promise((r) => setTimeout(r, 1_000));
    lag = await rollupLag(admin).catch(() => -1);
  }
  return { lag, waitedMs: Date.now() - start };
}

/** Skips the rollup consumer group's backlog (nothing may be consuming: the service is stopped). */
async function skipRollupBacklog(admin: Admin): Promise<void> {
  await admin.resetOffsets({ groupId: ROLLUP_GROUP, topic: SAMPLES_TOPIC, earliest: false });
}

// ------------------------------------------------------------------------------------------ report

const sumValues = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);
const fmtRate = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '—' : Math.round(n).toLocaleString('en-US'));
const fmtK = (n: number) => `${Math.round(n / 1000).toLocaleString('en-US')} k`;
const fmtMs = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 1 : 0) : '—');
const fmtCores = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '   —' : n.toFixed(2).padStart(4));
const fmtRatio = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '—' : `${n.toFixed(2)}×`);
const verdict = (ok: boolean | undefined) => (ok === undefined ? 'NOT MEASURED' : ok ? 'MET' : 'MISSED');

function decodeTable(rates: DecodeRate[]): string[] {
  const bare = (fleet: FleetKind) => rates.find((r) => r.fleet === fleet && r.mode === 'bare');
  const lines = [
    `${'fleet'.padEnd(9)} ${'variant'.padEnd(44)} ${'per CPU-s'.padStart(11)} ${'per wall-s'.padStart(11)} ${'÷ (1)'.padStart(7)}`,
  ];
  for (const rate of rates) {
    const base = bare(rate.fleet);
    lines.push(
      `${rate.fleet.padEnd(9)} ${DECODE_MODES[rate.mode].padEnd(44)} ${fmtRate(rate.samplesPerCpuSecond).padStart(11)} ${fmtRate(rate.samplesPerWallSecond).padStart(11)} ${(base ? fmtRatio(rate.samplesPerCpuSecond / base.samplesPerCpuSecond) : '—').padStart(7)}`,
    );
  }
  return lines;
}

const PROCESS_COLUMNS = ['ingestion', 'rollups', 'kafka', 'postgres', 'prometheus', 'load generator'] as const;

function phaseTable(phases: PhaseResult[]): string[] {
  const header =
    `${'run'.padEnd(32)} ${'samples/s'.padStart(10)} ${'req/s'.padStart(6)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'non2xx'.padStart(6)} ${'err'.padStart(4)}` +
    `  CPU cores: ${PROCESS_COLUMNS.map((c) => c.replace('load generator', 'loadgen').padStart(8)).join(' ')} ${'others'.padStart(7)}`;
  const lines = [header];
  for (const phase of phases) {
    const label = `${phase.receiver === 'prescient' ? '(3) Prescient' : '(4) Prometheus'} ← ${phase.fleet === 'workload' ? 'workload' : 'cAdvisor'}`;
    const cores = PROCESS_COLUMNS.map((name) => fmtCores(phase.processes.find((p) => p.name === name)?.cores).padStart(8)).join(' ');
    lines.push(
      `${label.padEnd(32)} ${fmtRate(phase.load.samplesPerSecond).padStart(10)} ${(phase.load.requestsOk / phase.load.windowSeconds).toFixed(1).padStart(6)} ${fmtMs(phase.load.latencyMs.p50).padStart(7)} ${fmtMs(phase.load.latencyMs.p99).padStart(7)} ${String(sumValues(phase.load.non2xx)).padStart(6)} ${String(phase.load.errors).padStart(4)}` +
        `             ${cores} ${fmtCores(phase.otherCores).padStart(7)}`,
    );
  }
  return lines;
}

function phaseNotes(phases: PhaseResult[]): string[] {
  const lines: string[] = [];
  for (const phase of phases) {
    const c = phase.counters;
    const name = `${phase.receiver} ← ${phase.fleet}`;
    if (phase.receiver === 'prescient') {
      lines.push(
        `  ${name}: service counted ${fmtRate(c.prescient_ingestion_samples_received_total)} samples received, ${fmtRate(c.prescient_ingestion_samples_published_total)} published on Kafka ` +
          `(${fmtRate(phase.kafkaMessages)} messages on ${SAMPLES_TOPIC}), ${fmtRate(c.prescient_ingestion_series_unmapped_total)} series unmapped; rollup consumer lag at window end ${fmtRate(phase.rollupLagAtEnd)} messages`,
      );
    } else {
      lines.push(
        `  ${name}: TSDB appended ${fmtRate(c.prometheus_tsdb_head_samples_appended_total)} samples, ${fmtRate(c.prometheus_tsdb_out_of_order_samples_total)} out-of-order, ${fmtRate(c.prometheus_tsdb_head_series_created_total)} series created in the window`,
      );
    }
    if (phase.load.firstNon2xxBody) lines.push(`    first non-2xx: ${phase.load.firstNon2xxBody.split('\n')[0]}`);
    if (phase.load.firstError) lines.push(`    first error: ${phase.load.firstError}`);
    if (phase.load.hitRequestCap) lines.push('    (the request cap ended the window early)');
  }
  return lines;
}

// ------------------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const loadAtStart = loadavg();
  const report: string[] = [];
  const say = (line = '') => {
    report.push(line);
    console.log(line);
  };
  say(`Ingestion benchmark — remote_write 1.0 bodies of ${SERIES_PER_REQUEST.toLocaleString('en-US')} one-sample series, ${FLEET_SERIES.toLocaleString('en-US')}-series fleets cycled (${REQUESTS_PER_CYCLE} requests per cycle), rising timestamps`);
  say(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}`);
  say('fleets: cadvisor = raw cAdvisor container series, 13–14 labels (through the entity mapper, but with no kube-state-metrics owner series in the fleet no pod resolves to a workload: held, given up, counted, NOT published)');
  say(`        workload = ${WORKLOAD_CPU_METRIC}, 13 labels, one series per workload, 50 000 workloads (every series mapped: published to Kafka)`);
  const drift = bareWalkDrift();
  if (drift) say(`WARNING: ${drift}`);

  // ---- (1) and (2)
  let decodeRates: DecodeRate[] = [];
  if (!args.skipDecode) {
    progress(`(1)/(2): single-thread decoding, ${args.decodeRounds} interleaved rounds per variant`);
    const variants: { fleet: FleetKind; mode: DecodeMode }[] = [
      { fleet: 'cadvisor', mode: 'snappy' },
      { fleet: 'cadvisor', mode: 'skip-walk' },
      { fleet: 'cadvisor', mode: 'bare' },
      { fleet: 'cadvisor', mode: 'decode-only' },
      { fleet: 'cadvisor', mode: 'decode-relabel' },
      { fleet: 'workload', mode: 'bare' },
      { fleet: 'workload', mode: 'decode-relabel' },
      { fleet: 'workload', mode: 'decode-relabel-map' },
      { fleet: 'workload', mode: 'prepare' },
      { fleet: 'cadvisor', mode: 'prepare' },
    ];
    const children: ChildProcess[] = [];
    const forget = onCleanup('decode children', () => Promise.all(children.map(killChild)));
    decodeRates = await measureDecodeThroughput({ variants, warmupMs: 2_000, roundMs: 1_000, rounds: args.decodeRounds, progress, track: (c) => children.push(c) });
    forget();
  }
  const rate = (fleet: FleetKind, mode: DecodeMode) => decodeRates.find((r) => r.fleet === fleet && r.mode === mode);
  const bare = rate('cadvisor', 'bare');
  const decode = rate('cadvisor', 'decode-relabel');
  const decodeRatio = bare && decode ? decode.samplesPerCpuSecond / bare.samplesPerCpuSecond : undefined;
  const relabelStatus = decode?.relabel ?? 'not measured';

  // ---- (3) and (4)
  const phases: PhaseResult[] = [];
  const profiles: { fleet: FleetKind; summary?: ProfileSummary; note: string; phase?: PhaseResult }[] = [];
  let prometheusVersion = '';
  let drainNote = '';
  let rollupDrain: RollupDrain | undefined;
  let decodeThreads: number | undefined;
  if (!args.skipEndToEnd) {
    progress('starting Kafka, PostgreSQL and Prometheus');
    const [kafka, postgres, prometheus] = await Promise.all([
      startLocalKafka(progress).then((k) => (onCleanup('kafka', k.stop), k)),
      startLocalPostgres(progress).then((p) => (onCleanup('postgres', p.stop), p)),
      startPrometheus().then((p) => (onCleanup('prometheus', p.stop), p)),
    ]);
    prometheusVersion = prometheus.version;
    const kafkaPid = childPids(process.pid, 'java')[0];
    const postgresPid = childPids(process.pid, 'postgres')[0];
    if (!kafkaPid || !postgresPid) throw new Error(`cannot find the broker (${kafkaPid}) or PostgreSQL (${postgresPid}) process`);
    const admin = kafkaAdmin(kafka.brokers);
    await admin.connect();
    onCleanup('kafka admin', () => admin.disconnect());
    progress('starting the ingestion service');
    let ingestion: Ingestion | undefined = await startIngestion(kafka, postgres, args);
    let forgetIngestion = onCleanup('ingestion', () => stopIngestion(ingestion!));
    decodeThreads = (await scrapeCounters(ingestion.url, ['prescient_ingestion_remote_write_decode_threads'])).prescient_ingestion_remote_write_decode_threads;
    progress(`the receiver runs ${decodeThreads} decode thread(s) (REMOTE_WRITE_DECODE_THREADS${args.decodeThreads === undefined ? ': the service\'s default' : ''})`);
    const env: Env = { args, ingestion: () => ingestion, prometheus, kafka, kafkaPid, postgresPid, admin };
    const settle = () => new Promise((r) => setTimeout(r, 2_000));

    // Each pair back to back, the peer first; the published (workload) pair last, since its rollup
    // backlog keeps the ingestion process busy after its window.
    for (let pair = 0; pair < args.pairs; pair++) {
      for (const fleet of ['cadvisor', 'workload'] as FleetKind[]) {
        if (args.pairs > 1) progress(`pair ${pair + 1} of ${args.pairs}, ${fleet}`);
        phases.push(await runPhase(env, 'prometheus', fleet));
        await settle();
        phases.push(await runPhase(env, 'prescient', fleet));
        await settle();
      }
    }
    if (args.rollups === 'after') {
      progress('rollups: draining everything published, alone');
      rollupDrain = await measureRollupDrain(kafka, postgres, admin, ingestion.url, postgresPid);
      const d = rollupDrain;
      drainNote = d.lagLeft === 0
        ? `rollups (run after the load, alone): ${fmtRate(d.samples)} samples in ${fmtRate(d.messages)} messages drained in ${d.seconds.toFixed(1)} s = ${fmtRate(d.samplesPerSecond)} samples/s, rollups process + PostgreSQL ${d.cores.toFixed(2)} cores`
        : `rollups (run after the load, alone): still ${fmtRate(d.lagLeft)} messages behind after ${d.seconds.toFixed(0)} s`;
    } else if (args.rollups === 'none') {
      drainNote = 'rollups not run (--rollups none)';
    } else {
      const drained = await drainRollups(admin, 20_000);
      drainNote = drained.lag === 0 ? `rollup consumer caught up ${(drained.waitedMs / 1000).toFixed(0)} s after the last window` : `rollup consumer still ${fmtRate(drained.lag)} messages behind ${(drained.waitedMs / 1000).toFixed(0)} s after the last window`;
    }

    // ---- profile pass: only where Prescient is below Prometheus
    const below = (['cadvisor', 'workload'] as FleetKind[]).filter((fleet) => {
      const p = medianRun(phases, 'prescient', fleet);
      const q = medianRun(phases, 'prometheus', fleet);
      return p && q && p.samplesPerSecond < q.samplesPerSecond;
    });
    if (args.profile && below.length > 0) {
      const profileDir = join(REPO_ROOT, 'bench-results', 'ingest-profiles');
      rmSync(profileDir, { recursive: true, force: true });
      mkdirSync(profileDir, { recursive: true });
      progress(`profile pass (ingestion under the V8 CPU profiler) for: ${below.join(', ')}`);
      forgetIngestion();
      await stopIngestion(ingestion);
      ingestion = undefined;
      await skipRollupBacklog(admin).catch((e: Error) => progress(`warning: could not skip the rollup backlog: ${e.message}`));
      ingestion = await startIngestion(kafka, postgres, args, profileDir);
      forgetIngestion = onCleanup('ingestion (profiled)', () => stopIngestion(ingestion!));
      const profiled: PhaseResult[] = [];
      for (const fleet of ['cadvisor', 'workload'] as FleetKind[]) {
        if (below.includes(fleet)) profiled.push(await runPhase(env, 'prescient', fleet));
      }
      forgetIngestion();
      await stopIngestion(ingestion); // the profile is written as the process exits
      ingestion = undefined;
      const file = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(profileDir, f))[0];
      for (const phase of profiled) {
        if (!file) {
          profiles.push({ fleet: phase.fleet, note: `no .cpuprofile written in ${profileDir}`, phase });
          continue;
        }
        let summary = summariseCpuProfile(file, phase.windowUs[0], phase.windowUs[1]);
        let note = 'window of the profiled phase';
        if (summary.sampledMs < 1000) {
          summary = summariseCpuProfile(file);
          note = 'profile clock did not line up with the window: whole profile (includes start-up)';
        }
        profiles.push({ fleet: phase.fleet, summary, note, phase });
      }
    }
  }
  await cleanupAll();
  const loadAtEnd = loadavg();

  // ---- report
  say();
  say(`(1)/(2) single-thread decoding, samples/s: median of ${args.decodeRounds} interleaved 1 s rounds, each variant in its own process; per CPU-s counts all its threads`);
  if (decodeRates.length) {
    for (const line of decodeTable(decodeRates)) say(`  ${line}`);
    say(`  relabel in (2): ${relabelStatus}`);
  } else say('  (skipped)');
  const prescientOf = (fleet: FleetKind) => medianRun(phases, 'prescient', fleet);
  const prometheusOf = (fleet: FleetKind) => medianRun(phases, 'prometheus', fleet);
  if (phases.length) {
    say();
    say(
      `(3)/(4) end to end over loopback: ${args.shards} concurrent senders (shards) from a separate process, each series always on the same shard; warm-up ≥ ${args.warmupMs / 1000} s and ≥ 2 fleet cycles, then ${args.durationMs / 1000} s measured. Prometheus ${prometheusVersion}; Kafka acks=all, one broker; the receiver with ${decodeThreads} decode thread(s) and NODE_OPTIONS=${INGESTION_NODE_OPTIONS}, as the chart runs it`,
    );
    say(`  samples/s = acknowledged (2xx) samples completed in the window; CPU = utime+stime from /proc over the window, in cores; "others" = machine busy CPU not used by any process listed`);
    for (const line of phaseTable(phases)) say(`  ${line}`);
    const bodies = phases[0].load.bodyBytes;
    say(`  bodies: mean ${Math.round(bodies.patchable / 1024)} KiB snappy as sent (${Math.round(bodies.library / 1024)} KiB from the snappy library: sample bytes are kept literal so they can be rewritten in place), ${Math.round(bodies.raw / 1024)} KiB protobuf`);
    for (const line of phaseNotes(phases)) say(line);
    if (drainNote) say(`  ${drainNote}`);
  }

  const e2e = prescientOf('workload');
  const peer = prometheusOf('workload');
  const e2eRatio = e2e && peer ? e2e.samplesPerSecond / peer.samplesPerSecond : undefined;
  const cadvisorE2e = prescientOf('cadvisor');
  const cadvisorPeer = prometheusOf('cadvisor');
  const cadvisorRatio = cadvisorE2e && cadvisorPeer ? cadvisorE2e.samplesPerSecond / cadvisorPeer.samplesPerSecond : undefined;
  const medianNote = args.pairs > 1 ? ` (medians of ${args.pairs} runs each)` : '';

  say();
  say(`Targets${medianNote}`);
  say(`  (2) ≥ 0.5 × (1):                 ${fmtRatio(decodeRatio)} (cAdvisor fleet, per CPU-s) → ${verdict(decodeRatio === undefined ? undefined : decodeRatio >= 0.5)}`);
  say(`  (2) ≥ 500 k samples/s/core:      ${decode ? fmtK(decode.samplesPerCpuSecond) : '—'} → ${verdict(decode ? decode.samplesPerCpuSecond >= 500_000 : undefined)}${decode?.relabel?.startsWith('applied') ? '' : ' (WITHOUT relabel: see above)'}`);
  say(`  (3) ≥ (4) samples/s [workload]:  ${fmtRate(e2e?.samplesPerSecond)} vs ${fmtRate(peer?.samplesPerSecond)} = ${fmtRatio(e2eRatio)} → ${verdict(e2eRatio === undefined ? undefined : e2eRatio >= 1)}`);
  say(`  (3) p99 ≤ (4) p99 [workload]:    ${fmtMs(e2e?.p99Ms ?? NaN)} ms vs ${fmtMs(peer?.p99Ms ?? NaN)} ms → ${verdict(e2e && peer ? e2e.p99Ms <= peer.p99Ms : undefined)}`);
  say(`  (3) ≥ (4) samples/s [cAdvisor]:  ${fmtRate(cadvisorE2e?.samplesPerSecond)} vs ${fmtRate(cadvisorPeer?.samplesPerSecond)} = ${fmtRatio(cadvisorRatio)} → ${verdict(cadvisorRatio === undefined ? undefined : cadvisorRatio >= 1)} (raw series, no owners: nothing published)`);
  say(`  (3) p99 ≤ (4) p99 [cAdvisor]:    ${fmtMs(cadvisorE2e?.p99Ms ?? NaN)} ms vs ${fmtMs(cadvisorPeer?.p99Ms ?? NaN)} ms → ${verdict(cadvisorE2e && cadvisorPeer ? cadvisorE2e.p99Ms <= cadvisorPeer.p99Ms : undefined)}`);

  for (const profile of profiles) {
    say();
    if (!profile.summary) say(`Profile of Prescient ← ${profile.fleet}: ${profile.note}`);
    else {
      const phase = profile.phase!;
      say(`Profile of the ingestion process, Prescient ← ${profile.fleet} (separate pass under the V8 CPU profiler, 1 ms sampling: ${fmtRate(phase.load.samplesPerSecond)} samples/s, ingestion ${fmtCores(phase.processes.find((p) => p.name === 'ingestion')?.cores)} cores; ${profile.note})`);
      for (const line of formatProfileSummary(profile.summary, '  file').split('\n')) say(line);
    }
  }
  say();
  say(`load average at end ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')} (start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')})`);

  const json = {
    generatedAt: new Date().toISOString(),
    machine: { cores: cpus().length, model: cpus()[0]?.model, node: process.version, loadAverageStart: loadAtStart, loadAverageEnd: loadAtEnd },
    workload: {
      seriesPerRequest: SERIES_PER_REQUEST,
      samplesPerSeries: 1,
      fleetSeries: FLEET_SERIES,
      fleets: { cadvisor: 'raw cAdvisor series, 13–14 labels, unmapped (not published)', workload: `${WORKLOAD_CPU_METRIC}, 13 labels, one per workload, mapped (published)` },
      shards: args.shards,
      warmupMs: args.warmupMs,
      durationMs: args.durationMs,
      relabelRules: TYPICAL_RELABEL_RULES,
      rollups: args.rollups,
      decodeThreads: decodeThreads ?? null,
      ingestionNodeOptions: INGESTION_NODE_OPTIONS,
      pairs: args.pairs,
      comparedAs: args.pairs > 1 ? 'median samples/s and median p99 over the runs of each receiver and fleet' : 'one run each',
      ingestionProcesses: { after: 'receiver (INGESTION_ROLES=receiver) during (3); rollups consumer (INGESTION_ROLES=rollups) after, alone', concurrent: 'receiver + rollups consumer in two processes during (3)', inline: 'one process, every role', none: 'receiver only; the rollups consumer never runs' }[args.rollups],
    },
    bareDecodeSamplesPerSec: bare?.samplesPerCpuSecond ?? null,
    decodeSamplesPerSecPerCore: decode?.samplesPerCpuSecond ?? null,
    decodeRatioToBare: decodeRatio ?? null,
    endToEndSamplesPerSec: e2e?.samplesPerSecond ?? null,
    prometheusSamplesPerSec: peer?.samplesPerSecond ?? null,
    endToEndRatioToPrometheus: e2eRatio ?? null,
    endToEndP99Ms: e2e?.p99Ms ?? null,
    prometheusP99Ms: peer?.p99Ms ?? null,
    unmapped: {
      endToEndSamplesPerSec: cadvisorE2e?.samplesPerSecond ?? null,
      prometheusSamplesPerSec: cadvisorPeer?.samplesPerSecond ?? null,
      endToEndRatioToPrometheus: cadvisorRatio ?? null,
      endToEndP99Ms: cadvisorE2e?.p99Ms ?? null,
      prometheusP99Ms: cadvisorPeer?.p99Ms ?? null,
    },
    targets: {
      decodeRatioAtLeastHalf: decodeRatio === undefined ? null : decodeRatio >= 0.5,
      decodeAtLeast500kPerCore: decode ? decode.samplesPerCpuSecond >= 500_000 : null,
      endToEndAtLeastPrometheus: e2eRatio === undefined ? null : e2eRatio >= 1,
      endToEndP99NoWorse: e2e && peer ? e2e.p99Ms <= peer.p99Ms : null,
    },
    relabel: relabelStatus,
    bareWalkDrift: drift ?? null,
    decode: decodeRates,
    endToEnd: phases.map(({ windowUs: _w, ...phase }) => phase),
    rollupDrain: drainNote || null,
    rollupDrainSamplesPerSec: rollupDrain?.samplesPerSecond ?? null,
    prometheusVersion,
    profiles: profiles.map((p) => ({ fleet: p.fleet, note: p.note, summary: p.summary ?? null, samplesPerSec: p.phase?.load.samplesPerSecond ?? null })),
    report,
  };
  mkdirSync(resolve(args.out, '..'), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(json, null, 2)}\n`);
  say(`written to ${relative(process.cwd(), args.out) || args.out}`);
}

/** Median samples/s and median p99 over the runs of one receiver on one fleet. */
function medianRun(phases: readonly PhaseResult[], receiver: PhaseResult['receiver'], fleet: FleetKind): { samplesPerSecond: number; p99Ms: number; runs: number } | undefined {
  const runs = phases.filter((p) => p.receiver === receiver && p.fleet === fleet);
  if (runs.length === 0) return undefined;
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  return { samplesPerSecond: median(runs.map((r) => r.load.samplesPerSecond)), p99Ms: median(runs.map((r) => r.load.latencyMs.p99)), runs: runs.length };
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    progress(`${signal}: stopping everything started`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  async (error: Error) => {
    process.stderr.write(`ingest-bench failed: ${error.stack ?? error.message}\n`);
    await cleanupAll();
    process.exit(1);
  },
);
