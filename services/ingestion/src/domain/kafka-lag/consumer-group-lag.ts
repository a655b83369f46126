/**
 * Consumer-group lag and rates from two snapshots of offsets (ARCHITECTURE.md: the ConsumerGroup
 * entity; seed 000: production vs consumption vs lag, queue latency). Pure: the collector takes the
 * snapshots through Kafka's admin API and keeps the previous one.
 */
export interface PartitionOffsets {
  topic: string;
  partition: number;
  /** The group's committed offset; -1 when the group has committed nothing on this partition. */
  committed: number;
  /** The partition's log-end offset (the next offset to be written). */
  logEnd: number;
}

export interface GroupSnapshot {
  groupId: string;
  atMs: number;
  partitions: PartitionOffsets[];
}

export interface GroupLag {
  groupId: string;
  atMs: number;
  /** Messages written but not yet committed by the group, summed over its partitions. */
  lag: number;
  partitions: number;
  /** Messages/s written to the group's partitions since the previous snapshot. */
  productionRate?: number;
  /** Messages/s the group committed since the previous snapshot. */
  consumptionRate?: number;
  /** Seconds the newest message waits at the current consumption rate: lag ÷ consumption rate. */
  queueLatencySeconds?: number;
  /** Why a rate is missing (first snapshot, offsets moved backwards, no time passed). */
  notes: string[];
}

const key = (p: { topic: string; partition: number }) => `${p.topic}\u0000${p.partition}`;

/**
 * Lag from `current`; rates from the change since `previous` (same group). A partition the group
 * never committed on has unknown lag (Kafka's own tools print "-"): it is left out and noted.
 * Offsets that move backwards (a topic recreated, offsets reset) leave that partition out of the
 * rates for this interval.
 */
export function groupLag(current: GroupSnapshot, previous?: GroupSnapshot): GroupLag {
  const notes: string[] = [];
  let lag = 0;
  let uncommitted = 0;
  for (const p of current.partitions) {
    if (p.committed < 0) {
      uncommitted++;
      continue;
    }
    lag += Math.max(0, p.logEnd - p.committed);
  }
  if (uncommitted > 0) notes.push(`${uncommitted} partition(s) without a committed offset: their lag is unknown and not counted`);
  const result: GroupLag = { groupId: current.groupId, atMs: current.atMs, lag, partitions: current.partitions.length, notes };
  if (!previous) {
    notes.push('first snapshot: rates need a second one');
    return result;
  }
  const seconds = (current.atMs - previous.atMs) / 1000;
  if (!(seconds > 0)) {
    notes.push('no time passed since the previous snapshot: no rates');
    return result;
  }
  const before = new Map(previous.partitions.map((p) => [key(p), p]));
  let produced = 0;
  let consumed = 0;
  let comparable = 0;
  let backwards = 0;
  for (const p of current.partitions) {
    const old = before.get(key(p));
    if (!old) continue;
    if (p.logEnd < old.logEnd || (old.committed >= 0 && p.committed >= 0 && p.committed < old.committed)) {
      backwards++;
      continue;
    }
    comparable++;
    produced += p.logEnd - old.logEnd;
    if (old.committed >= 0 && p.committed >= 0) consumed += p.committed - old.committed;
  }
  if (backwards > 0) notes.push(`${backwards} partition(s) moved backwards (reset or recreated): left out of the rates`);
  if (comparable === 0) {
    notes.push('no partition comparable with the previous snapshot: no rates');
    return result;
  }
  result.productionRate = produced / seconds;
  result.consumptionRate = consumed / seconds;
  if (result.consumptionRate > 0) result.queueLatencySeconds = lag / result.consumptionRate;
  else if (lag === 0) result.queueLatencySeconds = 0;
  else notes.push('lag with no consumption: queue latency is unbounded, not reported');
  return result;
}
