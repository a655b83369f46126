import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Every entity ingestion has seen samples for, per tenant: what the subgraph lists. */
@Entity({ name: 'seen_entities' })
export class SeenEntity {
  @PrimaryColumn({ type: 'text' })
  tenant!: string;

  @PrimaryColumn({ name: 'entity_key', type: 'text' })
  entityKey!: string;

  @Column({ type: 'smallint' })
  kind!: number;

  @Column({ type: 'text' })
  cluster!: string;

  @Column({ type: 'text' })
  namespace!: string;

  @Column({ name: 'workload_kind', type: 'text' })
  workloadKind!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt!: Date;

  @Column({ name: 'last_sample_at', type: 'timestamptz' })
  lastSampleAt!: Date;

  @Column({ name: 'samples_total', type: 'bigint' })
  samplesTotal!: string;
}
