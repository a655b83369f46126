import { MigrationInterface, QueryRunner } from 'typeorm';

export class LatestRecommendations1764000000000 implements MigrationInterface {
  name = 'LatestRecommendations1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE latest_recommendations (
      tenant text NOT NULL,
      entity_key text NOT NULL,
      generated_at timestamptz NOT NULL,
      payload bytea NOT NULL,
      PRIMARY KEY (tenant, entity_key)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE latest_recommendations');
  }
}
