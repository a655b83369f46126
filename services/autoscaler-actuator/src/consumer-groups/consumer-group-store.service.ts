import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GroupObservation, Observed } from '../domain';
import { ConsumerGroupRow } from './consumer-group.entity';

export interface GroupKey {
  tenant: string;
  cluster: string;
  groupId: string;
}

export interface StoredDecision {
  currentReplicas: number;
  desiredReplicas: number;
  action: string;
  reason: string;
  predictedProductionRate: number | null;
  predictedLagSeconds: number | null;
  decidedAtMs: number;
  forecastGeneratedAtMs: number;
  lastScaleAtMs: number | undefined;
}

const OBSERVED = [
  ['lag', 'lag', 'lag_at'],
  ['consumptionRate', 'consumption_rate', 'consumption_rate_at'],
  ['replicas', 'replicas', 'replicas_at'],
  ['partitions', 'partitions', 'partitions_at'],
  ['perConsumerRate', 'per_consumer_rate', 'per_consumer_rate_at'],
] as const;

const t = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

/** What a row says about the group's samples, in the domain's terms. */
export function observationOf(row: ConsumerGroupRow | null): GroupObservation | undefined {
  if (!row) return undefined;
  const pick = (value: number | null, at: Date | null): Observed | undefined => (value === null || at === null ? undefined : { value, atMs: at.getTime() });
  return {
    lag: pick(row.lag, row.lagAt),
    consumptionRate: pick(row.consumptionRate, row.consumptionRateAt),
    replicas: pick(row.replicas, row.replicasAt),
    partitions: pick(row.partitions, row.partitionsAt),
    perConsumerRate: pick(row.perConsumerRate, row.perConsumerRateAt),
  };
}

/** Consumer-group state in PostgreSQL; every statement is scoped by tenant. */
@Injectable()
export class ConsumerGroupStore {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  find(key: GroupKey): Promise<ConsumerGroupRow | null> {
    return this.dataSource.getRepository(ConsumerGroupRow).findOneBy({ tenant: key.tenant, cluster: key.cluster, groupId: key.groupId });
  }

  list(tenant: string, cluster: string | undefined, limit: number): Promise<ConsumerGroupRow[]> {
    return this.dataSource.getRepository(ConsumerGroupRow).find({
      where: { tenant, ...(cluster ? { cluster } : {}) },
      order: { cluster: 'ASC', groupId: 'ASC' },
      take: limit,
    });
  }

  count(tenant: string): Promise<number> {
    return this.dataSource.getRepository(ConsumerGroupRow).countBy({ tenant });
  }

  /** Writes each observed value with its sample time; a value older than the stored one never replaces it. */
  async saveObservation(key: GroupKey, obs: GroupObservation): Promise<void> {
    const values: unknown[] = [key.tenant, key.cluster, key.groupId];
    const columns: string[] = [];
    const updates: string[] = [];
    for (const [field, column, atColumn] of OBSERVED) {
      const o = obs[field];
      values.push(o?.value ?? null, t(o?.atMs));
      columns.push(column, atColumn);
      const newer = `EXCLUDED.${atColumn} IS NOT NULL AND (consumer_groups.${atColumn} IS NULL OR EXCLUDED.${atColumn} >= consumer_groups.${atColumn})`;
      updates.push(`${column} = CASE WHEN ${newer} THEN EXCLUDED.${column} ELSE consumer_groups.${column} END`);
      updates.push(`${atColumn} = CASE WHEN ${newer} THEN EXCLUDED.${atColumn} ELSE consumer_groups.${atColumn} END`);
    }
    const placeholders = values.map((_, i) => `$${i + 1}`);
    await this.dataSource.query(
      `INSERT INTO consumer_groups (tenant, cluster, group_id, ${columns.join(', ')}, updated_at)
       VALUES (${placeholders.join(', ')}, now())
       ON CONFLICT (tenant, cluster, group_id) DO UPDATE SET ${updates.join(', ')}, updated_at = now()`,
      values,
    );
  }

  async saveDecision(key: GroupKey, d: StoredDecision): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO consumer_groups (tenant, cluster, group_id, current_replicas, desired_replicas, action, reason,
         predicted_production_rate, predicted_lag_seconds, decided_at, forecast_generated_at, last_scale_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())
       ON CONFLICT (tenant, cluster, group_id) DO UPDATE SET
         current_replicas = EXCLUDED.current_replicas, desired_replicas = EXCLUDED.desired_replicas, action = EXCLUDED.action,
         reason = EXCLUDED.reason, predicted_production_rate = EXCLUDED.predicted_production_rate,
         predicted_lag_seconds = EXCLUDED.predicted_lag_seconds, decided_at = EXCLUDED.decided_at,
         forecast_generated_at = EXCLUDED.forecast_generated_at, last_scale_at = EXCLUDED.last_scale_at, updated_at = now()`,
      [
        key.tenant, key.cluster, key.groupId, d.currentReplicas, d.desiredReplicas, d.action, d.reason,
        d.predictedProductionRate, d.predictedLagSeconds, new Date(d.decidedAtMs), new Date(d.forecastGeneratedAtMs), t(d.lastScaleAtMs),
      ],
    );
  }
}
