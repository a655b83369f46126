import { METRICS } from '@prescient/contracts';
import { MAPPING_METRICS } from './canonical-metrics';

/** What one entity accumulates during one step, per source quantity. */
export type AccumulatorId =
  | 'cpu'
  | 'mem'
  | 'memPodMax'
  | 'oomCadvisor'
  | 'oomKsm'
  | 'cpuReq'
  | 'cpuLim'
  | 'memReq'
  | 'memLim'
  | 'replicas'
  | 'gpuUtil'
  | 'gpuMem'
  | 'nodeCpuIdle'
  | 'nodeCpuAll'
  | 'nodeMemTotal'
  | 'nodeMemAvail'
  | 'nodeCpuAlloc'
  | 'nodeMemAlloc'
  | 'kafkaLag'
  | 'kafkaProd'
  | 'kafkaCons';

/**
 * One sample's contribution to one step of one entity.
 * - `span`: an amount over [fromMs, toMs) inside the step (a counter's increase share, or a gauge's
 *   value × milliseconds held); the step's observed span is the union hull of these intervals.
 * - `count`: a whole count (OOM kills) attributed to the step of the later sample.
 * - `last`: the newest value of a spec-like gauge (replicas, allocatable).
 * - `podMax` / `podLast`: a per-container value kept per pod (peak in the step / newest), so the
 *   step can sum containers per pod and take the largest pod.
 */
export type Piece =
  | { step: number; acc: AccumulatorId; op: 'span'; value: number; fromMs: number; toMs: number }
  | { step: number; acc: AccumulatorId; op: 'count'; value: number }
  | { step: number; acc: AccumulatorId; op: 'last'; value: number; tsMs: number }
  | { step: number; acc: AccumulatorId; op: 'podMax' | 'podLast'; pod: string; container: string; value: number; tsMs: number };

export interface Cell {
  sum: number;
  /** Milliseconds of series-time integrated (for time-weighted means). */
  weight: number;
  spanFromMs: number;
  spanToMs: number;
  lastTsMs: number;
  last: number;
  pods?: Map<string, Map<string, { value: number; tsMs: number }>>;
}

export function newCell(): Cell {
  return { sum: 0, weight: 0, spanFromMs: Infinity, spanToMs: -Infinity, lastTsMs: -Infinity, last: NaN };
}

export function applyPiece(cell: Cell, p: Piece): void {
  switch (p.op) {
    case 'span':
      cell.sum += p.value;
      cell.weight += p.toMs - p.fromMs;
      if (p.fromMs < cell.spanFromMs) cell.spanFromMs = p.fromMs;
      if (p.toMs > cell.spanToMs) cell.spanToMs = p.toMs;
      return;
    case 'count':
      cell.sum += p.value;
      return;
    case 'last':
      if (p.tsMs >= cell.lastTsMs) {
        cell.lastTsMs = p.tsMs;
        cell.last = p.value;
      }
      return;
    case 'podMax':
    case 'podLast': {
      const pods = (cell.pods ??= new Map());
      let containers = pods.get(p.pod);
      if (!containers) pods.set(p.pod, (containers = new Map()));
      const prev = containers.get(p.container);
      if (!prev || (p.op === 'podMax' ? p.value > prev.value : p.tsMs >= prev.tsMs)) containers.set(p.container, { value: p.value, tsMs: p.tsMs });
      return;
    }
  }
}

/** [fromMs, toMs) cut at step boundaries; steps are identified by their start. */
export function splitInterval(fromMs: number, toMs: number, stepMs: number): { step: number; fromMs: number; toMs: number }[] {
  const out: { step: number; fromMs: number; toMs: number }[] = [];
  if (!(toMs > fromMs)) return out;
  for (let step = stepStart(fromMs, stepMs); step < toMs; step += stepMs) {
    out.push({ step, fromMs: Math.max(fromMs, step), toMs: Math.min(toMs, step + stepMs) });
  }
  return out;
}

export function stepStart(tsMs: number, stepMs: number): number {
  return Math.floor(tsMs / stepMs) * stepMs;
}

export interface StepOutput {
  metric: string;
  value: number;
}

/**
 * The canonical values of one closed step. Sums of `span` pieces are divided by the observed span
 * (not the full step), so a step only partly observed — the mapper started mid-step, the workload
 * was created mid-step — averages over what was seen instead of reading low.
 */
export function finalizeStep(cells: ReadonlyMap<AccumulatorId, Cell>): { outputs: StepOutput[]; incomplete: number } {
  const outputs: StepOutput[] = [];
  let incomplete = 0;
  const put = (metric: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) outputs.push({ metric, value });
  };
  const c = (id: AccumulatorId) => cells.get(id);
  const perSecond = (cell: Cell | undefined) => (cell && cell.spanToMs > cell.spanFromMs ? cell.sum / ((cell.spanToMs - cell.spanFromMs) / 1000) : undefined);
  const timeAverage = (cell: Cell | undefined) => (cell && cell.spanToMs > cell.spanFromMs ? cell.sum / (cell.spanToMs - cell.spanFromMs) : undefined);
  const mean = (cell: Cell | undefined) => (cell && cell.weight > 0 ? cell.sum / cell.weight : undefined);
  const last = (cell: Cell | undefined) => (cell && cell.lastTsMs > -Infinity ? cell.last : undefined);

  put(METRICS.cpuUsageCores, perSecond(c('cpu')));
  put(METRICS.memoryWorkingSetBytes, timeAverage(c('mem')));
  put(MAPPING_METRICS.memoryWorkingSetMaxPodBytes, largestPod(c('memPodMax')));
  const oomA = c('oomCadvisor');
  const oomB = c('oomKsm');
  // Two views of the same kills (cAdvisor's OOM events, kube-state-metrics' restarts after an
  // OOMKilled termination): the larger, never their sum.
  if (oomA || oomB) put(MAPPING_METRICS.oomKills, Math.max(oomA?.sum ?? 0, oomB?.sum ?? 0));
  put(MAPPING_METRICS.cpuRequestCores, largestPod(c('cpuReq')));
  put(MAPPING_METRICS.cpuLimitCores, largestPod(c('cpuLim')));
  put(MAPPING_METRICS.memoryRequestBytes, largestPod(c('memReq')));
  put(MAPPING_METRICS.memoryLimitBytes, largestPod(c('memLim')));
  put(MAPPING_METRICS.replicas, last(c('replicas')));
  put(MAPPING_METRICS.gpuUtilisationRatio, clamp01(mean(c('gpuUtil'))));
  put(MAPPING_METRICS.gpuMemoryUsedBytes, timeAverage(c('gpuMem')));

  const all = c('nodeCpuAll');
  const idle = c('nodeCpuIdle');
  if (all || idle) {
    if (all && idle && all.sum > 0) put(METRICS.nodeCpuUtilisationRatio, clamp01(1 - idle.sum / all.sum));
    else incomplete++;
  }
  const total = c('nodeMemTotal');
  const avail = c('nodeMemAvail');
  if (total || avail) {
    const t = mean(total);
    const a = mean(avail);
    if (t !== undefined && a !== undefined) {
      put(MAPPING_METRICS.nodeMemoryUsedBytes, Math.max(0, t - a));
      // node-mixin's instance:node_memory_utilisation:ratio = 1 − MemAvailable / MemTotal.
      if (t > 0) put(METRICS.nodeMemoryUtilisationRatio, clamp01(1 - a / t));
    } else incomplete++;
  }
  put(MAPPING_METRICS.nodeCpuAllocatableCores, last(c('nodeCpuAlloc')));
  put(MAPPING_METRICS.nodeMemoryAllocatableBytes, last(c('nodeMemAlloc')));

  put(METRICS.kafkaLag, timeAverage(c('kafkaLag')));
  put(METRICS.kafkaProductionRate, perSecond(c('kafkaProd')));
  put(METRICS.kafkaConsumptionRate, perSecond(c('kafkaCons')));
  return { outputs, incomplete };
}

/** Σ containers per pod, max over pods. */
function largestPod(cell: Cell | undefined): number | undefined {
  if (!cell?.pods) return undefined;
  let best: number | undefined;
  for (const containers of cell.pods.values()) {
    let sum = 0;
    for (const { value } of containers.values()) sum += value;
    if (best === undefined || sum > best) best = sum;
  }
  return best;
}

function clamp01(x: number | undefined): number | undefined {
  return x === undefined ? undefined : Math.min(1, Math.max(0, x));
}
