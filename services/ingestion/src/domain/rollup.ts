/** 5-minute rollups (min, max, sum, count, last) of a batch's samples, keyed by series and bucket. */
export const ROLLUP_STEP_MS = 5 * 60 * 1000;

export interface RollupCell {
  entityKey: string;
  metric: string;
  bucketStartMs: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
  lastTimestampMs: number;
}

export function bucketStart(timestampMs: number, stepMs = ROLLUP_STEP_MS): number {
  return Math.floor(timestampMs / stepMs) * stepMs;
}

/** Folds one entity's samples into cells; non-finite values are skipped (rollups never hold NaN). */
export function rollUp(
  entityKey: string,
  series: readonly { metric: string; samples: readonly { timestampMs: number; value: number }[] }[],
  stepMs = ROLLUP_STEP_MS,
): RollupCell[] {
  return rollUpMany([{ entityKey, series }], stepMs);
}

/**
 * Folds many entities' samples into cells, one per (entity, metric, bucket) even when an entity
 * comes in several batches: a multi-row upsert may not touch the same row twice.
 */
export function rollUpMany(
  batches: readonly { entityKey: string; series: readonly { metric: string; samples: readonly { timestampMs: number; value: number }[] }[] }[],
  stepMs = ROLLUP_STEP_MS,
): RollupCell[] {
  const cells = new Map<string, RollupCell>();
  for (const { entityKey, series } of batches) {
    for (const s of series) {
      for (const { timestampMs, value } of s.samples) {
        if (!Number.isFinite(value) || !Number.isFinite(timestampMs)) continue;
        const start = bucketStart(timestampMs, stepMs);
        const key = `${entityKey}\u0000${s.metric}\u0000${start}`;
        const cell = cells.get(key);
        if (!cell) {
          cells.set(key, { entityKey, metric: s.metric, bucketStartMs: start, min: value, max: value, sum: value, count: 1, last: value, lastTimestampMs: timestampMs });
          continue;
        }
        cell.min = Math.min(cell.min, value);
        cell.max = Math.max(cell.max, value);
        cell.sum += value;
        cell.count += 1;
        if (timestampMs >= cell.lastTimestampMs) {
          cell.last = value;
          cell.lastTimestampMs = timestampMs;
        }
      }
    }
  }
  return [...cells.values()];
}

/** The UTC day (partition) a bucket falls in, as `YYYYMMDD`, and the day's bounds. */
export function dayPartition(bucketStartMs: number): { suffix: string; fromMs: number; toMs: number } {
  const fromMs = Math.floor(bucketStartMs / 86_400_000) * 86_400_000;
  const suffix = new Date(fromMs).toISOString().slice(0, 10).replace(/-/g, '');
  return { suffix, fromMs, toMs: fromMs + 86_400_000 };
}

/**
 * Cells folded in memory between writes, one per (tenant, entity, metric, bucket): a fleet resends
 * each series every scrape interval, so a few seconds of buffering turns many upserts of a cell into
 * one. `drain` hands everything over and starts empty; `restore` merges back what could not be written.
 */
export class RollupAccumulator {
  private tenants = new Map<string, Map<string, RollupCell>>();
  private cellCount = 0;

  get size(): number {
    return this.cellCount;
  }

  add(tenant: string, cells: readonly RollupCell[]): void {
    let byKey = this.tenants.get(tenant);
    if (!byKey) this.tenants.set(tenant, (byKey = new Map()));
    for (const cell of cells) {
      const key = `${cell.entityKey}\u0000${cell.metric}\u0000${cell.bucketStartMs}`;
      const held = byKey.get(key);
      if (!held) {
        byKey.set(key, { ...cell });
        this.cellCount++;
      } else {
        mergeInto(held, cell);
      }
    }
  }

  drain(): Map<string, RollupCell[]> {
    const out = new Map<string, RollupCell[]>();
    for (const [tenant, cells] of this.tenants) out.set(tenant, [...cells.values()]);
    this.tenants = new Map();
    this.cellCount = 0;
    return out;
  }

  restore(drained: Map<string, RollupCell[]>): void {
    for (const [tenant, cells] of drained) this.add(tenant, cells);
  }
}

/** Folds `cell` into `into` (same series and bucket): the merge the database's upsert also does. */
export function mergeInto(into: RollupCell, cell: RollupCell): void {
  into.min = Math.min(into.min, cell.min);
  into.max = Math.max(into.max, cell.max);
  into.sum += cell.sum;
  into.count += cell.count;
  if (cell.lastTimestampMs >= into.lastTimestampMs) {
    into.last = cell.last;
    into.lastTimestampMs = cell.lastTimestampMs;
  }
}
