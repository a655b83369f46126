import { MigrationInterface, QueryRunner } from 'typeorm';

export class LatestForecasts1764000000000 implements MigrationInterface {
  name = 'LatestForecasts1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE latest_forecasts (
      tenant text NOT NULL,
      entity_key text NOT NULL,
      metric text NOT NULL,
      horizon smallint NOT NULL,
      model text NOT NULL,
      generated_at timestamptz NOT NULL,
      payload bytea NOT NULL,
      PRIMARY KEY (tenant, entity_key, metric, horizon)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE latest_forecasts');
  }
}
