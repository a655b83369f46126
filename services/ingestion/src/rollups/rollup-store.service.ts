import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dayPartition, RollupCell } from '../domain/rollup';

export interface RollupPoint {
  bucketStartMs: number;
  min: number;
  max: number;
  avg: number;
  count: number;
  last: number;
}

const MAX_CELLS_PER_STATEMENT = 5_000;

/** Rollups in PostgreSQL: day partitions created on demand, dropped past retention; reads scoped by tenant. */
@Injectable()
export class RollupStore {
  private readonly knownPartitions = new Set<string>();

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async upsert(tenant: string, cells: RollupCell[]): Promise<void> {
    if (cells.length === 0) return;
    for (const suffix of new Set(cells.map((c) => dayPartition(c.bucketStartMs).suffix))) await this.ensurePartition(suffix);
    // PostgreSQL takes at most 65 535 parameters per statement; 10 per cell.
    for (let i = 0; i < cells.length; i += MAX_CELLS_PER_STATEMENT) await this.upsertChunk(tenant, cells.slice(i, i + MAX_CELLS_PER_STATEMENT));
  }

  private async upsertChunk(tenant: string, cells: RollupCell[]): Promise<void> {
    const values: unknown[] = [];
    const rows = cells.map((c, i) => {
      values.push(tenant, c.entityKey, c.metric, new Date(c.bucketStartMs), c.min, c.max, c.sum, c.count, c.last, new Date(c.lastTimestampMs));
      const o = i * 10;
      return `(${Array.from({ length: 10 }, (_, k) => `$${o + k + 1}`).join(',')})`;
    });
    // Merging is associative: a batch arriving late or split across messages folds in the same way.
    await this.dataSource.query(
      `INSERT INTO rollups_5m AS r (tenant, entity_key, metric, bucket_start, min, max, sum, count, last, last_ts)
       VALUES ${rows.join(',')}
       ON CONFLICT (tenant, entity_key, metric, bucket_start) DO UPDATE SET
         min = LEAST(r.min, EXCLUDED.min),
         max = GREATEST(r.max, EXCLUDED.max),
         sum = r.sum + EXCLUDED.sum,
         count = r.count + EXCLUDED.count,
         last = CASE WHEN EXCLUDED.last_ts >= r.last_ts THEN EXCLUDED.last ELSE r.last END,
         last_ts = GREATEST(r.last_ts, EXCLUDED.last_ts)`,
      values,
    );
  }

  async read(tenant: string, entityKey: string, metric: string, fromMs: number, toMs: number, limit = 10_000): Promise<RollupPoint[]> {
    const rows: { bucket_start: Date; min: number; max: number; sum: number; count: string; last: number }[] = await this.dataSource.query(
      `SELECT bucket_start, min, max, sum, count, last FROM rollups_5m
       WHERE tenant = $1 AND entity_key = $2 AND metric = $3 AND bucket_start >= $4 AND bucket_start < $5
       ORDER BY bucket_start LIMIT $6`,
      [tenant, entityKey, metric, new Date(fromMs), new Date(toMs), limit],
    );
    return rows.map((r) => ({ bucketStartMs: r.bucket_start.getTime(), min: r.min, max: r.max, avg: r.sum / Number(r.count), count: Number(r.count), last: r.last }));
  }

  /** Drops whole day partitions older than `retentionDays`; returns their names. */
  async dropExpired(nowMs: number, retentionDays: number): Promise<string[]> {
    const cutoff = dayPartition(nowMs - retentionDays * 86_400_000).suffix;
    const rows: { name: string }[] = await this.dataSource.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       JOIN pg_namespace n ON n.oid = p.relnamespace WHERE p.relname = 'rollups_5m' AND n.nspname = current_schema()`,
    );
    const expired = rows.map((r) => r.name).filter((name) => /^rollups_5m_\d{8}$/.test(name) && name.slice(-8) < cutoff);
    for (const name of expired) {
      await this.dataSource.query(`DROP TABLE IF EXISTS "${name}"`);
      this.knownPartitions.delete(name.slice(-8));
    }
    return expired;
  }

  private async ensurePartition(suffix: string): Promise<void> {
    if (this.knownPartitions.has(suffix)) return;
    const from = `${suffix.slice(0, 4)}-${suffix.slice(4, 6)}-${suffix.slice(6, 8)}`;
    const to = new Date(Date.parse(`${from}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await this.dataSource.query(
      `CREATE TABLE IF NOT EXISTS "rollups_5m_${suffix}" PARTITION OF rollups_5m FOR VALUES FROM ('${from} 00:00:00+00') TO ('${to} 00:00:00+00')`,
    );
    this.knownPartitions.add(suffix);
  }
}
