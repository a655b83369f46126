import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface SavedHistory {
  tenant: string;
  entityKey: string;
  metric: string;
  buffer: Buffer;
}

/** Rows of about 50 KiB each: a few hundred per statement. */
const ROWS_PER_STATEMENT = 200;

/** Series history snapshots in PostgreSQL; every read is scoped by tenant. */
@Injectable()
export class HistoryStore {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async save(rows: readonly SavedHistory[]): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
      const values: unknown[] = [];
      const tuples = chunk.map((r, j) => {
        values.push(r.tenant, r.entityKey, r.metric, r.buffer);
        return `($${j * 4 + 1},$${j * 4 + 2},$${j * 4 + 3},$${j * 4 + 4},now())`;
      });
      await this.dataSource.query(
        `INSERT INTO series_history (tenant, entity_key, metric, buffer, saved_at) VALUES ${tuples.join(',')}
         ON CONFLICT (tenant, entity_key, metric) DO UPDATE SET buffer = EXCLUDED.buffer, saved_at = EXCLUDED.saved_at`,
        values,
      );
    }
  }

  /** The saved buffers of these series of one tenant (those that have one). */
  async load(tenant: string, series: readonly { entityKey: string; metric: string }[]): Promise<SavedHistory[]> {
    if (series.length === 0) return [];
    const rows: { entity_key: string; metric: string; buffer: Buffer }[] = await this.dataSource.query(
      `SELECT h.entity_key, h.metric, h.buffer FROM series_history h
       JOIN unnest($2::text[], $3::text[]) AS wanted(entity_key, metric) USING (entity_key, metric)
       WHERE h.tenant = $1`,
      [tenant, series.map((s) => s.entityKey), series.map((s) => s.metric)],
    );
    return rows.map((r) => ({ tenant, entityKey: r.entity_key, metric: r.metric, buffer: r.buffer }));
  }
}
