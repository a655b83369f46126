import { MigrationInterface, QueryRunner } from 'typeorm';

export class SeenEntities1764000000000 implements MigrationInterface {
  name = 'SeenEntities1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE seen_entities (
      tenant text NOT NULL,
      entity_key text NOT NULL,
      kind smallint NOT NULL,
      cluster text NOT NULL,
      namespace text NOT NULL,
      workload_kind text NOT NULL,
      name text NOT NULL,
      first_seen_at timestamptz NOT NULL,
      last_sample_at timestamptz NOT NULL,
      samples_total bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (tenant, entity_key)
    )`);
    await q.query('CREATE INDEX seen_entities_tenant_kind ON seen_entities (tenant, kind, cluster, namespace)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE seen_entities');
  }
}
