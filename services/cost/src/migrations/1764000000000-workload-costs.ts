import { MigrationInterface, QueryRunner } from 'typeorm';

export class WorkloadCosts1764000000000 implements MigrationInterface {
  name = 'WorkloadCosts1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE workload_costs (
      tenant text NOT NULL,
      entity_key text NOT NULL,
      cluster text NOT NULL,
      namespace text NOT NULL,
      workload_kind text NOT NULL,
      name text NOT NULL,
      recommendation_generated_at timestamptz NOT NULL,
      computed_at timestamptz NOT NULL,
      caveats text[] NOT NULL DEFAULT '{}',
      payload bytea NOT NULL,
      PRIMARY KEY (tenant, entity_key)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE workload_costs');
  }
}
