import { MigrationInterface, QueryRunner } from 'typeorm';

/** Each series' history buffer as bytes, so a restarted (or newly assigned) instance goes on from it. */
export class SeriesHistory1764300000000 implements MigrationInterface {
  name = 'SeriesHistory1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE series_history (
      tenant text NOT NULL,
      entity_key text NOT NULL,
      metric text NOT NULL,
      buffer bytea NOT NULL,
      saved_at timestamptz NOT NULL,
      PRIMARY KEY (tenant, entity_key, metric)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE series_history');
  }
}
