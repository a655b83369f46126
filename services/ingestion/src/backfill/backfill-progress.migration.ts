import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Backfill progress, one row per tenant, source, query and scope ('' for all series, else the
 * entity key of the one workload the run is for). `done_until` is the last evaluation timestamp
 * whose samples Kafka has acknowledged: a later run starts one step after it. The lease lets one
 * replica run a job at a time and lets another take over when a replica dies mid-run.
 */
export class BackfillProgress1764260000000 implements MigrationInterface {
  name = 'BackfillProgress1764260000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE backfill_progress (
      tenant text NOT NULL,
      source text NOT NULL,
      query_name text NOT NULL,
      scope text NOT NULL,
      query text NOT NULL,
      step_seconds integer NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'running', 'paused', 'done', 'failed')),
      window_start timestamptz,
      window_end timestamptz,
      done_until timestamptz,
      chunks_done integer NOT NULL DEFAULT 0,
      samples_published bigint NOT NULL DEFAULT 0,
      last_error text,
      lease_owner text,
      lease_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant, source, query_name, scope)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE backfill_progress');
  }
}
