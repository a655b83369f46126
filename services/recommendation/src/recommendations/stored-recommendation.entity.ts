import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The latest recommendation per tenant and workload, as its protobuf bytes. */
@Entity({ name: 'latest_recommendations' })
export class StoredRecommendation {
  @PrimaryColumn({ type: 'text' })
  tenant!: string;

  @PrimaryColumn({ name: 'entity_key', type: 'text' })
  entityKey!: string;

  @Column({ name: 'generated_at', type: 'timestamptz' })
  generatedAt!: Date;

  @Column({ type: 'bytea' })
  payload!: Buffer;
}
