import { MigrationInterface, QueryRunner } from 'typeorm';

/** 5-minute rollups, range-partitioned by UTC day so retention drops whole partitions. */
export class Rollups1764100000000 implements MigrationInterface {
  name = 'Rollups1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE rollups_5m (
      tenant text NOT NULL,
      entity_key text NOT NULL,
      metric text NOT NULL,
      bucket_start timestamptz NOT NULL,
      min double precision NOT NULL,
      max double precision NOT NULL,
      sum double precision NOT NULL,
      count bigint NOT NULL,
      last double precision NOT NULL,
      last_ts timestamptz NOT NULL,
      PRIMARY KEY (tenant, entity_key, metric, bucket_start)
    ) PARTITION BY RANGE (bucket_start)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE rollups_5m');
  }
}
