/**
 * Forecast benchmark (not a test). From the repository root:
 *   node -r ./tools/register.js services/prediction/bench/forecast-bench.ts [--data DIR] [--skip-python] [--out FILE]
 * Scores Prescient, the protocol's baselines and the Python peers on every series of DIR (default
 * /work/shared/data/nab, i.e. ../shared/data/nab from the repository root) exactly as
 * shared/data/PROTOCOL.md says, prints one table per horizon and writes bench-results/forecast.json.
 * See README.md beside this file.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { predictPrescient } from '../src/domain/prescient';
import { doubleExponentialSmoothing, fillBaseline, predictLinear, seasonalNaive, withConformalBand, type PointModel } from './baselines';
import { BENCH_HORIZONS, loadSeriesDir, windowsOf, type BenchHorizon, type Series, type Window } from './data';
import { arithmeticMean, geometricMean, maseScale, scoreWindow, type WindowForecast, type WindowScore } from './scoring';

const REPO = resolve(__dirname, '..', '..', '..');
const HORIZONS: BenchHorizon[] = ['24h', '7d', '30d'];
const PRESCIENT = 'prescient';
const SNAIVE_DAILY = 'seasonal-naive-1d';
const TS_BASELINES: Record<string, PointModel> = {
  [SNAIVE_DAILY]: seasonalNaive(1),
  'seasonal-naive-7d': seasonalNaive(7),
  'prometheus-predict_linear': predictLinear,
  'prometheus-double_exponential_smoothing': doubleExponentialSmoothing,
};
const PEERS = ['statsforecast-autoets', 'statsforecast-mstl', 'statsmodels-holtwinters'];
const PEER_PACKAGES = ['statsforecast==2.1.1', 'statsmodels==0.15.0'];

interface Args {
  data: string;
  skipPython: boolean;
  out: string;
  noCache: boolean;
  peerLimit: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { data: resolve(REPO, '..', 'shared', 'data', 'nab'), skipPython: false, out: join(REPO, 'bench-results', 'forecast.json'), noCache: false, peerLimit: 60 };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]!;
    if (a === '--data') args.data = resolve(argv[++i]!);
    else if (a === '--skip-python') args.skipPython = true;
    else if (a === '--out') args.out = resolve(argv[++i]!);
    else if (a === '--no-cache') args.noCache = true;
    else if (a === '--peer-limit') args.peerLimit = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}; expected --data DIR, --skip-python, --out FILE, --no-cache, --peer-limit SECONDS`);
  }
  return args;
}

/** Node flags of the memory probe: explicit GCs, and a young generation large enough that no GC runs
 * during one fit, so the heap growth over a fit is every byte it allocated (an upper bound of its peak). */
const PROBE_FLAGS = ['--expose-gc', '--min-semi-space-size=256', '--max-semi-space-size=256'];

function gc(): void {
  (globalThis as unknown as { gc: () => void }).gc();
}

function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

// ---------------------------------------------------------------------------------------------------
// Models of this process.

function runPrescient(train: Float64Array, w: Window): WindowForecast {
  const started = performance.now();
  const f = predictPrescient(train, w.series.stepSeconds, w.steps, { quantiles: [0.1, 0.5, 0.9] });
  const seconds = (performance.now() - started) / 1000;
  // The engine drops leading gaps only; the windows start with data, so f covers exactly `steps`.
  return { point: f.mean, q10: f.quantiles[0]!, q50: f.quantiles[1]!, q90: f.quantiles[2]!, seconds, model: f.model };
}

function runTsModel(name: string, train: Float64Array, w: Window): WindowForecast | undefined {
  if (name === PRESCIENT) return runPrescient(train, w);
  return withConformalBand(TS_BASELINES[name]!, train, w.steps, w.series.stepSeconds, w.series.daySteps);
}

/** Bytes allocated by one fit + forecast after a full GC (run inside the probe process only). */
function measureTsBytes(name: string, train: Float64Array, w: Window): number {
  // Warm-up fits: compiled code and feedback vectors are not the fit's memory.
  for (let i = 0; i < 3; i += 1) runTsModel(name, train, w);
  gc();
  gc(); // a second full GC settles what the first one's finalisation released
  const before = heapBytes();
  const f = runTsModel(name, train, w);
  const after = heapBytes();
  if (f === undefined) return Number.NaN;
  return Math.max(0, after - before);
}

/** `--memory-probe DIR ID…`: prints {model: {windowId: bytes}} for the given windows as JSON. */
function memoryProbe(dir: string, ids: string[]): void {
  const windows = loadSeriesDir(dir).flatMap((s) => HORIZONS.flatMap((h) => windowsOf(s, h)));
  const out: Record<string, Record<string, number>> = {};
  for (const id of ids) {
    const w = windows.find((x) => x.id === id);
    if (w === undefined) continue;
    const train = w.series.values.slice(0, w.origin);
    for (const m of [PRESCIENT, ...Object.keys(TS_BASELINES)]) (out[m] ??= {})[id] = measureTsBytes(m, train, w);
  }
  process.stdout.write(JSON.stringify(out));
}

function probeMemory(dir: string, ids: string[]): Record<string, Record<string, number>> {
  const r = spawnSync(process.execPath, [...PROBE_FLAGS, ...process.execArgv, __filename, '--memory-probe', dir, ...ids], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`memory probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, Record<string, number>>;
}

// ---------------------------------------------------------------------------------------------------
// Python peers: a local venv, the same windows as JSON, results cached by the hash of their inputs.

function venvPython(): string | undefined {
  const venv = join(REPO, '.cache', 'bench-venv');
  const python = join(venv, 'bin', 'python');
  const probe = () => spawnSync(python, ['-c', 'import statsforecast, statsmodels'], { stdio: 'ignore' }).status === 0;
  if (existsSync(python) && probe()) return python;
  console.log(`installing the Python peers into ${venv} (${PEER_PACKAGES.join(', ')}) …`);
  mkdirSync(dirname(venv), { recursive: true });
  const mk = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  if (mk.status !== 0) return undefined;
  const pip = spawnSync(python, ['-m', 'pip', 'install', '--quiet', ...PEER_PACKAGES], { stdio: 'inherit' });
  if (pip.status !== 0 || !probe()) return undefined;
  return python;
}

interface PeerRecord {
  id: string;
  model: string;
  seconds?: number;
  bytes?: number;
  point?: (number | null)[];
  q10?: (number | null)[];
  q50?: (number | null)[];
  q90?: (number | null)[];
  error?: string;
  note?: string;
}

interface PeerRun {
  versions: Record<string, string>;
  results: PeerRecord[];
  cached: boolean;
}

function runPeers(windows: Window[], memoryIds: Set<string>, noCache: boolean, limit: number): PeerRun | { error: string } {
  const python = venvPython();
  if (python === undefined) return { error: 'could not create the Python virtual environment (python3 -m venv, pip install)' };
  const payload = JSON.stringify({
    windows: windows.map((w) => ({
      id: w.id,
      series: w.series.name,
      horizon: w.horizon,
      d: w.series.daySteps,
      stepSeconds: w.series.stepSeconds,
      steps: w.steps,
      measureMemory: memoryIds.has(w.id),
      train: Array.from(fillBaseline(w.series.values.subarray(0, w.origin), w.series.daySteps)),
    })),
  });
  const script = join(__dirname, 'peers.py');
  const key = createHash('sha256').update(payload).update(readFileSync(script)).update(PEER_PACKAGES.join()).update(String(limit)).digest('hex').slice(0, 16);
  const cacheFile = join(REPO, '.cache', 'forecast-bench', `peers-${key}.json`);
  if (!noCache && existsSync(cacheFile)) {
    const run = JSON.parse(readFileSync(cacheFile, 'utf8')) as Omit<PeerRun, 'cached'>;
    return { ...run, cached: true };
  }
  const dir = mkdtempSync(join(tmpdir(), 'forecast-bench-'));
  try {
    const input = join(dir, 'windows.json');
    const output = join(dir, 'peers.json');
    writeFileSync(input, payload);
    console.log(`running the Python peers on ${windows.length} windows (progress on stderr) …`);
    const r = spawnSync(python, [script, input, output, String(limit)], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
    if (r.status !== 0) return { error: `peers.py exited with ${r.status}` };
    const text = readFileSync(output, 'utf8');
    mkdirSync(dirname(cacheFile), { recursive: true });
    writeFileSync(cacheFile, text);
    return { ...(JSON.parse(text) as Omit<PeerRun, 'cached'>), cached: false };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function toArray(a: (number | null)[] | undefined, steps: number): Float64Array | undefined {
  if (a === undefined || a.length !== steps) return undefined;
  return Float64Array.from(a, (v) => (v === null ? Number.NaN : v));
}

// ---------------------------------------------------------------------------------------------------

interface Cell {
  scores: WindowScore[];
  seconds: number[];
  bytes?: number;
  models: string[];
  missing: number;
  /** Windows where a peer fell back (see peers.py). */
  notes?: number;
}

type Table = Map<string, Map<string, Cell>>; // series → model → cell

function fmt(v: number | undefined, digits = 3): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  return Math.abs(v) >= 1e5 ? v.toExponential(1) : v.toFixed(digits);
}

function pct(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '—' : `${(100 * v).toFixed(1)}%`;
}

function main(): void {
  const argv = process.argv.slice(2);
  if (argv[0] === '--memory-probe') {
    memoryProbe(argv[1]!, argv.slice(2));
    return;
  }
  const args = parseArgs(argv);
  const series: Series[] = loadSeriesDir(args.data);
  const windows: Window[] = HORIZONS.flatMap((h) => series.flatMap((s) => windowsOf(s, h)));
  // Memory is measured on one window per horizon: the one with the shortest training part.
  const memoryIds = new Set<string>();
  for (const h of HORIZONS) {
    const ws = windows.filter((w) => w.horizon === h);
    if (ws.length > 0) memoryIds.add(ws.reduce((a, b) => (b.origin < a.origin ? b : a)).id);
  }
  console.log(`data: ${args.data}`);
  for (const s of series) {
    console.log(
      `  ${s.name.padEnd(32)} step ${String(s.stepSeconds).padStart(5)} s  ${(s.values.length / s.daySteps).toFixed(1).padStart(6)} d  gaps ${s.gaps}  merged ${s.mergedSamples}`,
    );
  }
  console.log(`windows: ${HORIZONS.map((h) => `${h} ${windows.filter((w) => w.horizon === h).length}`).join(', ')}\n`);

  const tables: Record<BenchHorizon, Table> = { '24h': new Map(), '7d': new Map(), '30d': new Map() };
  const cell = (w: Window, model: string): Cell => {
    const t = tables[w.horizon];
    if (!t.has(w.series.name)) t.set(w.series.name, new Map());
    const bySeries = t.get(w.series.name)!;
    if (!bySeries.has(model)) bySeries.set(model, { scores: [], seconds: [], models: [], missing: 0 });
    return bySeries.get(model)!;
  };
  const table = (w: Window, model: string): boolean => tables[w.horizon].get(w.series.name)?.has(model) ?? false;
  const record = (w: Window, model: string, f: WindowForecast | undefined, scale: number, actual: Float64Array): void => {
    const c = cell(w, model);
    if (f === undefined) {
      c.missing += 1;
      return;
    }
    c.scores.push(scoreWindow(actual, f, scale));
    c.seconds.push(f.seconds);
    if (f.model) c.models.push(f.model);
  };

  // One warm-up pass of every TS model on the first window, so JIT compilation is not timed.
  const tsModels = [PRESCIENT, ...Object.keys(TS_BASELINES)];
  if (windows.length > 0) {
    const w0 = windows[0]!;
    for (const m of tsModels) runTsModel(m, w0.series.values.slice(0, w0.origin), w0);
  }
  for (const w of windows) {
    const train = w.series.values.slice(0, w.origin);
    const actual = w.series.values.subarray(w.origin, w.origin + w.steps);
    const scale = maseScale(train, w.series.daySteps);
    for (const m of tsModels) {
      if (m === 'seasonal-naive-7d' && w.series.values.length < 14 * w.series.daySteps) continue; // "where 14+ days"
      record(w, m, runTsModel(m, train, w), scale, actual);
    }
  }
  const probed = probeMemory(args.data, [...memoryIds]);
  for (const w of windows.filter((x) => memoryIds.has(x.id))) {
    for (const [m, byId] of Object.entries(probed)) if (byId[w.id] !== undefined && table(w, m)) cell(w, m).bytes = byId[w.id];
  }

  let peerVersions: Record<string, string> | undefined;
  let peerNote = 'skipped (--skip-python)';
  if (!args.skipPython) {
    const run = runPeers(windows, memoryIds, args.noCache, args.peerLimit);
    if ('error' in run) peerNote = `not run: ${run.error}`;
    else {
      peerVersions = run.versions;
      peerNote = `${Object.entries(run.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}${run.cached ? ' (results from the cache of an identical earlier run: same windows, same peers.py)' : ''}`;
      const byId = new Map(windows.map((w) => [w.id, w]));
      for (const r of run.results) {
        const w = byId.get(r.id);
        if (w === undefined) continue;
        const train = w.series.values.subarray(0, w.origin);
        const actual = w.series.values.subarray(w.origin, w.origin + w.steps);
        const scale = maseScale(train, w.series.daySteps);
        const point = toArray(r.point, w.steps);
        const q10 = toArray(r.q10, w.steps);
        const q50 = toArray(r.q50, w.steps);
        const q90 = toArray(r.q90, w.steps);
        const ok = point && q10 && q50 && q90 && r.seconds !== undefined && [point, q10, q50, q90].every((a) => a.every(Number.isFinite));
        record(w, r.model, ok ? { point, q10, q50, q90, seconds: r.seconds! } : undefined, scale, actual);
        if (r.bytes !== undefined) cell(w, r.model).bytes = r.bytes;
        if (r.error) console.log(`  ${r.model} failed on ${r.id}: ${r.error}`);
        if (r.note) {
          const c = cell(w, r.model);
          c.notes = (c.notes ?? 0) + 1;
        }
      }
    }
  }
  console.log(`python peers: ${peerNote}\n`);

  // Summaries.
  const models = [PRESCIENT, ...Object.keys(TS_BASELINES), ...(args.skipPython ? [] : PEERS)];
  const json: {
    protocol: string;
    data: string;
    peers: string;
    peerVersions?: Record<string, string>;
    horizons: Record<string, Record<string, Record<string, number | string | undefined>>>;
    series: unknown[];
  } = { protocol: 'shared/data/PROTOCOL.md', data: args.data, peers: peerNote, ...(peerVersions ? { peerVersions } : {}), horizons: {}, series: [] };
  for (const h of HORIZONS) {
    const table = tables[h];
    if (table.size === 0) continue;
    const seriesNames = [...table.keys()];
    const perSeries = (model: string, pick: (c: Cell) => number): number[] =>
      seriesNames.map((s) => {
        const c = table.get(s)?.get(model);
        return c && c.scores.length > 0 ? pick(c) : Number.NaN;
      });
    const avg = (c: Cell, k: keyof WindowScore) => arithmeticMean(c.scores.map((s) => s[k]));
    const snaive = perSeries(SNAIVE_DAILY, (c) => avg(c, 'mase'));
    const summary: Record<string, Record<string, number | string | undefined>> = {};
    for (const m of models) {
      const mase = perSeries(m, (c) => avg(c, 'mase'));
      const pin = perSeries(m, (c) => avg(c, 'pinball'));
      const snPin = perSeries(SNAIVE_DAILY, (c) => avg(c, 'pinball'));
      const covered = mase.filter(Number.isFinite).length;
      if (covered === 0) continue;
      const bytes = seriesNames.map((s) => table.get(s)?.get(m)?.bytes).find((b) => b !== undefined);
      const fallbacks = seriesNames.reduce((a, s) => a + (table.get(s)?.get(m)?.notes ?? 0), 0);
      const notes = [
        ...(covered < seriesNames.length ? [`scored on ${covered} of ${seriesNames.length} series`] : []),
        ...(fallbacks > 0 ? [`${fallbacks} windows over the ${args.peerLimit} s limit: non-seasonal fallback`] : []),
      ];
      summary[m] = {
        relativeMase: geometricMean(mase.map((v, i) => v / snaive[i]!)),
        pinball: arithmeticMean(pin),
        relativePinball: geometricMean(pin.map((v, i) => v / snPin[i]!)),
        coverage80: arithmeticMean(perSeries(m, (c) => avg(c, 'coverage80'))),
        underForecastShare: arithmeticMean(perSeries(m, (c) => avg(c, 'underForecastShare'))),
        secondsPerSeries: arithmeticMean(perSeries(m, (c) => arithmeticMean(c.seconds))),
        bytesPerSeries: bytes,
        series: covered,
        ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
      };
    }
    json.horizons[h] = summary;
    const spec = BENCH_HORIZONS[h];
    console.log(
      `== ${h}: ${seriesNames.length} series, origins ${spec.originsDaysBeforeEnd.map((k) => `T−${k}d`).join(', ')}, horizon ${spec.days} d at each series' step ==`,
    );
    console.log(
      `${'model'.padEnd(40)} ${'relMASE'.padStart(8)} ${'pinball'.padStart(8)} ${'relPinb'.padStart(8)} ${'cov80'.padStart(7)} ${'under'.padStart(7)} ${'s/series'.padStart(9)} ${'mem/series'.padStart(11)}`,
    );
    for (const [m, s] of Object.entries(summary)) {
      const bytes = s.bytesPerSeries as number | undefined;
      console.log(
        `${m.padEnd(40)} ${fmt(s.relativeMase as number).padStart(8)} ${fmt(s.pinball as number).padStart(8)} ${fmt(s.relativePinball as number).padStart(8)} ${pct(s.coverage80 as number).padStart(7)} ${pct(s.underForecastShare as number).padStart(7)} ${fmt(s.secondsPerSeries as number, 4).padStart(9)} ${(bytes === undefined || !Number.isFinite(bytes) ? '—' : `${(bytes / 1024).toFixed(0)} KiB`).padStart(11)}${s.note ? `  (${s.note})` : ''}`,
      );
    }
    // Per-series MASE ratios, so a loss is visible where it happens.
    console.log(`  per series: MASE ÷ seasonal-naive-1d MASE (prescient's choice)`);
    const shown = models.filter((m) => summary[m] !== undefined && m !== SNAIVE_DAILY);
    console.log(`  ${''.padEnd(30)} ${shown.map((m) => shortName(m).padStart(9)).join(' ')}`);
    seriesNames.forEach((s, i) => {
      const ratios = shown.map((m) => {
        const c = table.get(s)?.get(m);
        return c && c.scores.length > 0 ? fmt(avg(c, 'mase') / snaive[i]!, 2) : '—';
      });
      const chosen = [...new Set(table.get(s)?.get(PRESCIENT)?.models ?? [])].join(', ');
      console.log(`  ${s.padEnd(30)} ${ratios.map((r) => r.padStart(9)).join(' ')}   ${chosen}`);
    });
    console.log('');
  }
  for (const s of series) {
    const entry: Record<string, unknown> = { name: s.name, stepSeconds: s.stepSeconds, days: s.values.length / s.daySteps, gaps: s.gaps };
    for (const h of HORIZONS) {
      const byModel = tables[h].get(s.name);
      if (!byModel) continue;
      const o: Record<string, unknown> = {};
      for (const [m, c] of byModel) {
        if (c.scores.length === 0) {
          o[m] = { missing: c.missing };
          continue;
        }
        o[m] = {
          mase: arithmeticMean(c.scores.map((x) => x.mase)),
          pinball: arithmeticMean(c.scores.map((x) => x.pinball)),
          coverage80: arithmeticMean(c.scores.map((x) => x.coverage80)),
          underForecastShare: arithmeticMean(c.scores.map((x) => x.underForecastShare)),
          secondsPerSeries: arithmeticMean(c.seconds),
          ...(c.models.length > 0 ? { chosen: c.models } : {}),
        };
      }
      entry[h] = o;
    }
    json.series.push(entry);
  }
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`wrote ${args.out}`);
}

function shortName(m: string): string {
  const map: Record<string, string> = {
    prescient: 'prescient',
    'seasonal-naive-7d': 'snaive7d',
    'prometheus-predict_linear': 'pred_lin',
    'prometheus-double_exponential_smoothing': 'prom_des',
    'statsforecast-autoets': 'AutoETS',
    'statsforecast-mstl': 'MSTL',
    'statsmodels-holtwinters': 'HW',
  };
  return map[m] ?? m;
}

main();
