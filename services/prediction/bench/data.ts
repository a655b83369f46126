// Loading the benchmark traces and cutting them into the rolling-origin windows of
// /work/shared/data/PROTOCOL.md. Nothing here knows about models.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const DAY_SECONDS = 86_400;
/** Cadences a trace may have; the median sample spacing is snapped to the nearest of these. */
const NOMINAL_CADENCES = [60, 120, 180, 240, 300, 600, 900, 1200, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

export interface Series {
  name: string;
  /** Nominal cadence in seconds (divides one day). */
  stepSeconds: number;
  /** Steps per day, `d` of the protocol. */
  daySteps: number;
  /** Grid timestamp (ms) of `values[0]`. */
  startMs: number;
  /** One value per grid step from the first to the last sample; NaN where the step has no sample. */
  values: Float64Array;
  /** Samples that landed on a step that already had one (their mean is kept). */
  mergedSamples: number;
  gaps: number;
}

/** Reads every `*.csv` (`timestamp,value`, header line, UTC `YYYY-MM-DD HH:MM:SS`) of `dir`, sorted by name. */
export function loadSeriesDir(dir: string): Series[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .sort();
  if (files.length === 0) throw new Error(`no *.csv file in ${dir}`);
  return files.map((f) => parseSeries(basename(f, '.csv'), readFileSync(join(dir, f), 'utf8')));
}

export function parseSeries(name: string, csv: string): Series {
  const times: number[] = [];
  const vals: number[] = [];
  const lines = csv.split(/\r?\n/);
  for (let i = 1; i < lines.length; i += 1) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const comma = line.indexOf(',');
    if (comma < 0) throw new Error(`${name}: line ${i + 1} has no comma`);
    const ts = Date.parse(`${line.slice(0, comma).trim().replace(' ', 'T')}Z`);
    const v = Number(line.slice(comma + 1));
    if (!Number.isFinite(ts)) throw new Error(`${name}: line ${i + 1}: bad timestamp`);
    times.push(ts);
    vals.push(v);
  }
  if (times.length < 2) throw new Error(`${name}: fewer than two samples`);
  const stepSeconds = inferCadence(times);
  const stepMs = stepSeconds * 1000;
  // Floor to the nominal grid; samples sharing a step are averaged.
  let first = Infinity;
  let last = -Infinity;
  for (const t of times) {
    const g = Math.floor(t / stepMs);
    if (g < first) first = g;
    if (g > last) last = g;
  }
  const n = last - first + 1;
  const sums = new Float64Array(n);
  const counts = new Uint32Array(n);
  let merged = 0;
  for (let i = 0; i < times.length; i += 1) {
    const v = vals[i]!;
    if (!Number.isFinite(v)) continue;
    const k = Math.floor(times[i]! / stepMs) - first;
    if (counts[k]! > 0) merged += 1;
    sums[k] += v;
    counts[k] += 1;
  }
  const values = new Float64Array(n);
  let gaps = 0;
  for (let k = 0; k < n; k += 1) {
    if (counts[k] === 0) {
      values[k] = Number.NaN;
      gaps += 1;
    } else values[k] = sums[k]! / counts[k]!;
  }
  return { name, stepSeconds, daySteps: DAY_SECONDS / stepSeconds, startMs: first * stepMs, values, mergedSamples: merged, gaps };
}

function inferCadence(sortedOrNot: number[]): number {
  const t = [...sortedOrNot].sort((a, b) => a - b);
  const diffs: number[] = [];
  for (let i = 1; i < t.length; i += 1) if (t[i]! > t[i - 1]!) diffs.push((t[i]! - t[i - 1]!) / 1000);
  diffs.sort((a, b) => a - b);
  const median = diffs[Math.floor(diffs.length / 2)]!;
  let best = NOMINAL_CADENCES[0]!;
  for (const c of NOMINAL_CADENCES) if (Math.abs(Math.log(c / median)) < Math.abs(Math.log(best / median))) best = c;
  return best;
}

export type BenchHorizon = '24h' | '7d' | '30d';

export const BENCH_HORIZONS: Record<BenchHorizon, { days: number; originsDaysBeforeEnd: number[]; minDays: number }> = {
  '24h': { days: 1, originsDaysBeforeEnd: [3, 2, 1], minDays: 0 },
  '7d': { days: 7, originsDaysBeforeEnd: [14, 7], minDays: 28 },
  '30d': { days: 30, originsDaysBeforeEnd: [30], minDays: 120 },
};

export interface Window {
  id: string;
  series: Series;
  horizon: BenchHorizon;
  /** Index of the origin: the model sees `values[0, origin)` and forecasts `values[origin, origin + steps)`. */
  origin: number;
  steps: number;
}

/**
 * The protocol's windows of one series. `T` is the last grid step; the origin `T − k d` is the grid step
 * `k·d` steps before it. The model sees only the steps before the origin and forecasts `horizon` steps
 * from the origin itself (so the last origin's window ends one step before `T`).
 */
export function windowsOf(series: Series, horizon: BenchHorizon): Window[] {
  const spec = BENCH_HORIZONS[horizon];
  const n = series.values.length;
  const d = series.daySteps;
  if (n * series.stepSeconds < spec.minDays * DAY_SECONDS) return [];
  const T = n - 1;
  const steps = spec.days * d;
  return spec.originsDaysBeforeEnd
    .map((k) => ({ id: `${series.name}|${horizon}|${k}d`, series, horizon, origin: T - k * d, steps }))
    .filter((w) => w.origin > 0 && w.origin + w.steps <= n);
}
