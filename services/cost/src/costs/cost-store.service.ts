import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EntityRef, entityKey, WorkloadCost } from '@prescient/contracts';
import { StoredCost } from './stored-cost.entity';

export interface PricedWorkload {
  cost: WorkloadCost;
  caveats: string[];
  recommendationGeneratedAtMs: number;
}

/** Latest workload costs in PostgreSQL; every statement is scoped by tenant. */
@Injectable()
export class CostStore {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /**
   * Stores the price unless a newer recommendation of the workload is already priced (messages can
   * be redelivered after a rebalance). Returns false when it was older and not stored.
   */
  async save(priced: PricedWorkload): Promise<boolean> {
    const entity = priced.cost.entity!;
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO workload_costs (tenant, entity_key, cluster, namespace, workload_kind, name, recommendation_generated_at, computed_at, caveats, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (tenant, entity_key) DO UPDATE SET
         recommendation_generated_at = EXCLUDED.recommendation_generated_at,
         computed_at = EXCLUDED.computed_at,
         caveats = EXCLUDED.caveats,
         payload = EXCLUDED.payload
       WHERE workload_costs.recommendation_generated_at <= EXCLUDED.recommendation_generated_at
       RETURNING 1`,
      [
        entity.tenant, entityKey(entity), entity.cluster, entity.namespace, entity.workloadKind, entity.name,
        new Date(priced.recommendationGeneratedAtMs), new Date(priced.cost.computedAtMs), priced.caveats,
        Buffer.from(WorkloadCost.encode(priced.cost).finish()),
      ],
    );
    return rows.length > 0;
  }

  /** The workload's latest price within `entity.tenant`, or undefined when it has not been priced. */
  async find(entity: EntityRef): Promise<PricedWorkload | undefined> {
    const row = await this.dataSource.getRepository(StoredCost).findOneBy({ tenant: entity.tenant, entityKey: entityKey(entity) });
    if (!row) return undefined;
    return { cost: WorkloadCost.decode(row.payload), caveats: row.caveats, recommendationGeneratedAtMs: row.recommendationGeneratedAt.getTime() };
  }
}
