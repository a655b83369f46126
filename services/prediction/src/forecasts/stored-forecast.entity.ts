import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The latest forecast per tenant, entity, metric and horizon, as its protobuf bytes. */
@Entity({ name: 'latest_forecasts' })
export class StoredForecast {
  @PrimaryColumn({ type: 'text' })
  tenant!: string;

  @PrimaryColumn({ name: 'entity_key', type: 'text' })
  entityKey!: string;

  @PrimaryColumn({ type: 'text' })
  metric!: string;

  @PrimaryColumn({ type: 'smallint' })
  horizon!: number;

  @Column({ type: 'text' })
  model!: string;

  @Column({ name: 'generated_at', type: 'timestamptz' })
  generatedAt!: Date;

  @Column({ type: 'bytea' })
  payload!: Buffer;
}
