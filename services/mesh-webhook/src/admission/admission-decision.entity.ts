import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Every decision the webhook made: what the push-scope analyzer and operators audit. */
@Entity({ name: 'admission_decisions' })
export class AdmissionDecision {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  uid!: string;

  @Column({ type: 'text' })
  namespace!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  operation!: string;

  @Column({ type: 'text' })
  outcome!: string;

  @Column({ type: 'text' })
  rule!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'jsonb', nullable: true })
  patch!: unknown;

  @Column({ name: 'decided_at', type: 'timestamptz' })
  decidedAt!: Date;
}
