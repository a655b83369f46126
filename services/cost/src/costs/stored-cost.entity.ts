import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The latest price of each workload per tenant: the `WorkloadCost` protobuf, plus what the API filters and shows. */
@Entity({ name: 'workload_costs' })
export class StoredCost {
  @PrimaryColumn({ type: 'text' })
  tenant!: string;

  @PrimaryColumn({ name: 'entity_key', type: 'text' })
  entityKey!: string;

  @Column({ type: 'text' })
  cluster!: string;

  @Column({ type: 'text' })
  namespace!: string;

  @Column({ name: 'workload_kind', type: 'text' })
  workloadKind!: string;

  @Column({ type: 'text' })
  name!: string;

  /** `generated_at_ms` of the recommendation priced: an older one never replaces a newer one. */
  @Column({ name: 'recommendation_generated_at', type: 'timestamptz' })
  recommendationGeneratedAt!: Date;

  @Column({ name: 'computed_at', type: 'timestamptz' })
  computedAt!: Date;

  /** What the figures rest on when the recommendation lacked a figure; empty when complete. */
  @Column({ type: 'text', array: true })
  caveats!: string[];

  @Column({ type: 'bytea' })
  payload!: Buffer;
}
