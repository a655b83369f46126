import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface ProgressKey {
  tenant: string;
  source: string;
  queryName: string;
  /** '' for the all-series run, else the entity key of the workload. */
  scope: string;
}

export type ProgressStatus = 'pending' | 'running' | 'paused' | 'done' | 'failed';

export interface ProgressRow extends ProgressKey {
  query: string;
  stepSeconds: number;
  status: ProgressStatus;
  windowStartMs?: number;
  windowEndMs?: number;
  doneUntilMs?: number;
  chunksDone: number;
  samplesPublished: number;
  lastError?: string;
}

interface DbRow {
  tenant: string;
  source: string;
  query_name: string;
  scope: string;
  query: string;
  step_seconds: number;
  status: ProgressStatus;
  window_start: Date | null;
  window_end: Date | null;
  done_until: Date | null;
  chunks_done: number;
  samples_published: string;
  last_error: string | null;
}

const ms = (d: Date | null) => (d ? d.getTime() : undefined);

function toRow(r: DbRow): ProgressRow {
  const row: ProgressRow = {
    tenant: r.tenant, source: r.source, queryName: r.query_name, scope: r.scope, query: r.query, stepSeconds: r.step_seconds, status: r.status,
    chunksDone: r.chunks_done, samplesPublished: Number(r.samples_published),
  };
  if (r.window_start) row.windowStartMs = ms(r.window_start);
  if (r.window_end) row.windowEndMs = ms(r.window_end);
  if (r.done_until) row.doneUntilMs = ms(r.done_until);
  if (r.last_error) row.lastError = r.last_error;
  return row;
}

/** TypeORM answers an UPDATE on PostgreSQL with `[rows, rowCount]`. */
function updated(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[1];
  return Array.isArray(result) ? result.length : 0;
}

const KEY = 'tenant = $1 AND source = $2 AND query_name = $3 AND scope = $4';
const keyParams = (k: ProgressKey) => [k.tenant, k.source, k.queryName, k.scope];

/** Backfill progress in the ingestion schema; every statement is scoped by tenant. */
@Injectable()
export class BackfillProgressStore {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async get(key: ProgressKey): Promise<ProgressRow | undefined> {
    const rows: DbRow[] = await this.dataSource.query(`SELECT * FROM backfill_progress WHERE ${KEY}`, keyParams(key));
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /**
   * Takes the job's lease (creating the row the first time) unless another owner holds an
   * unexpired one; returns the row as it was, or undefined when the job is someone else's.
   */
  async claim(key: ProgressKey, owner: string, leaseMs: number, init: { query: string; stepSeconds: number }): Promise<ProgressRow | undefined> {
    const rows: DbRow[] = await this.dataSource.query(
      `INSERT INTO backfill_progress (tenant, source, query_name, scope, query, step_seconds, status, lease_owner, lease_until)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, now() + make_interval(secs => $8::float8))
       ON CONFLICT (tenant, source, query_name, scope) DO UPDATE SET lease_owner = EXCLUDED.lease_owner, lease_until = EXCLUDED.lease_until
       WHERE backfill_progress.lease_until IS NULL OR backfill_progress.lease_until < now() OR backfill_progress.lease_owner = EXCLUDED.lease_owner
       RETURNING *`,
      [...keyParams(key), init.query, init.stepSeconds, owner, leaseMs / 1000],
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /** Starts a run over a window; `restart` forgets earlier progress (the query or step changed). */
  async begin(key: ProgressKey, owner: string, run: { query: string; stepSeconds: number; windowStartMs: number; windowEndMs: number; restart: boolean }): Promise<boolean> {
    const result: unknown = await this.dataSource.query(
      `UPDATE backfill_progress SET query = $6, step_seconds = $7, window_start = to_timestamp($8::float8 / 1000), window_end = to_timestamp($9::float8 / 1000),
         status = 'running', last_error = NULL, updated_at = now(),
         done_until = CASE WHEN $10::boolean THEN NULL ELSE done_until END,
         chunks_done = CASE WHEN $10::boolean THEN 0 ELSE chunks_done END,
         samples_published = CASE WHEN $10::boolean THEN 0 ELSE samples_published END
       WHERE ${KEY} AND lease_owner = $5`,
      [...keyParams(key), owner, run.query, run.stepSeconds, run.windowStartMs, run.windowEndMs, run.restart],
    );
    return updated(result) === 1;
  }

  /** Records a chunk Kafka has acknowledged and renews the lease; false if the lease was lost. */
  async advance(key: ProgressKey, owner: string, doneUntilMs: number, samples: number, leaseMs: number): Promise<boolean> {
    const result: unknown = await this.dataSource.query(
      `UPDATE backfill_progress SET done_until = to_timestamp($6::float8 / 1000), chunks_done = chunks_done + 1, samples_published = samples_published + $7::bigint,
         lease_until = now() + make_interval(secs => $8::float8), updated_at = now()
       WHERE ${KEY} AND lease_owner = $5`,
      [...keyParams(key), owner, doneUntilMs, samples, leaseMs / 1000],
    );
    return updated(result) === 1;
  }

  /** Ends the run (done, failed, or paused to be resumed) and releases the lease. */
  async finish(key: ProgressKey, owner: string, status: 'done' | 'failed' | 'paused', error?: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE backfill_progress SET status = $6, last_error = $7, lease_owner = NULL, lease_until = NULL, updated_at = now() WHERE ${KEY} AND lease_owner = $5`,
      [...keyParams(key), owner, status, error?.slice(0, 2000) ?? null],
    );
  }

  list(tenant: string): Promise<ProgressRow[]> {
    return this.dataSource.query('SELECT * FROM backfill_progress WHERE tenant = $1 ORDER BY source, query_name, scope', [tenant]).then((rows: DbRow[]) => rows.map(toRow));
  }
}
