import { MigrationInterface, QueryRunner } from 'typeorm';

export class ConsumerGroups1764000000000 implements MigrationInterface {
  name = 'ConsumerGroups1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE consumer_groups (
      tenant text NOT NULL,
      cluster text NOT NULL,
      group_id text NOT NULL,
      lag double precision,
      lag_at timestamptz,
      consumption_rate double precision,
      consumption_rate_at timestamptz,
      replicas integer,
      replicas_at timestamptz,
      partitions integer,
      partitions_at timestamptz,
      per_consumer_rate double precision,
      per_consumer_rate_at timestamptz,
      current_replicas integer,
      desired_replicas integer,
      action text,
      reason text,
      predicted_production_rate double precision,
      predicted_lag_seconds double precision,
      decided_at timestamptz,
      forecast_generated_at timestamptz,
      last_scale_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant, cluster, group_id)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE consumer_groups');
  }
}
