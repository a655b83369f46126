import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per tenant and consumer group: the latest of its samples (each value with the time it was
 * sampled) and the latest scaling decision with its cooldown clock. Decision columns are null until
 * the group's first prediction.
 */
@Entity({ name: 'consumer_groups' })
export class ConsumerGroupRow {
  @PrimaryColumn({ type: 'text' })
  tenant!: string;

  @PrimaryColumn({ type: 'text' })
  cluster!: string;

  @PrimaryColumn({ name: 'group_id', type: 'text' })
  groupId!: string;

  @Column({ type: 'double precision', nullable: true })
  lag!: number | null;

  @Column({ name: 'lag_at', type: 'timestamptz', nullable: true })
  lagAt!: Date | null;

  @Column({ name: 'consumption_rate', type: 'double precision', nullable: true })
  consumptionRate!: number | null;

  @Column({ name: 'consumption_rate_at', type: 'timestamptz', nullable: true })
  consumptionRateAt!: Date | null;

  @Column({ type: 'integer', nullable: true })
  replicas!: number | null;

  @Column({ name: 'replicas_at', type: 'timestamptz', nullable: true })
  replicasAt!: Date | null;

  @Column({ type: 'integer', nullable: true })
  partitions!: number | null;

  @Column({ name: 'partitions_at', type: 'timestamptz', nullable: true })
  partitionsAt!: Date | null;

  @Column({ name: 'per_consumer_rate', type: 'double precision', nullable: true })
  perConsumerRate!: number | null;

  @Column({ name: 'per_consumer_rate_at', type: 'timestamptz', nullable: true })
  perConsumerRateAt!: Date | null;

  @Column({ name: 'current_replicas', type: 'integer', nullable: true })
  currentReplicas!: number | null;

  @Column({ name: 'desired_replicas', type: 'integer', nullable: true })
  desiredReplicas!: number | null;

  @Column({ type: 'text', nullable: true })
  action!: string | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'predicted_production_rate', type: 'double precision', nullable: true })
  predictedProductionRate!: number | null;

  @Column({ name: 'predicted_lag_seconds', type: 'double precision', nullable: true })
  predictedLagSeconds!: number | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'forecast_generated_at', type: 'timestamptz', nullable: true })
  forecastGeneratedAt!: Date | null;

  /** When a decision last changed the replicas: the scale-down cooldown runs from here. */
  @Column({ name: 'last_scale_at', type: 'timestamptz', nullable: true })
  lastScaleAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
