import { MigrationInterface, QueryRunner } from 'typeorm';

export class AdmissionDecisions1764000000000 implements MigrationInterface {
  name = 'AdmissionDecisions1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE admission_decisions (
      id bigserial PRIMARY KEY,
      uid text NOT NULL,
      namespace text NOT NULL,
      name text NOT NULL,
      operation text NOT NULL,
      outcome text NOT NULL,
      rule text NOT NULL,
      reason text NOT NULL,
      patch jsonb,
      decided_at timestamptz NOT NULL
    )`);
    await q.query('CREATE INDEX admission_decisions_namespace ON admission_decisions (namespace, name, decided_at DESC)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE admission_decisions');
  }
}
