import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EntityKind, EntityRef, Forecast, Horizon, entityKey } from '@prescient/contracts';
import { StoredForecast } from './stored-forecast.entity';

/** The entity-key prefix of every workload in a cluster, or in one namespace of it (entityKey's encoding). */
export function groupKeyPrefix(tenant: string, cluster: string, namespace?: string): string {
  const parts = [tenant, String(EntityKind.ENTITY_KIND_WORKLOAD), cluster, ...(namespace === undefined ? [] : [namespace])];
  return `${parts.map(encodeURIComponent).join('/')}/`;
}

/** Latest forecasts in PostgreSQL; every read is scoped by tenant. */
@Injectable()
export class ForecastStore {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async save(forecasts: Forecast[]): Promise<void> {
    if (forecasts.length === 0) return;
    await this.dataSource.getRepository(StoredForecast).upsert(
      forecasts.map((f) => ({
        tenant: f.entity!.tenant,
        entityKey: entityKey(f.entity!),
        metric: f.metric,
        horizon: f.horizon,
        model: f.model,
        generatedAt: new Date(f.generatedAtMs),
        payload: Buffer.from(Forecast.encode(f).finish()),
      })),
      ['tenant', 'entityKey', 'metric', 'horizon'],
    );
  }

  /**
   * The latest forecasts of one metric and horizon of every entity whose key starts with `keyPrefix`
   * (see `groupKeyPrefix`), at most `limit`, in key order.
   */
  async findByKeyPrefix(tenant: string, keyPrefix: string, metric: string, horizon: Horizon, limit: number): Promise<Forecast[]> {
    const rows: { payload: Buffer }[] = await this.dataSource.query(
      `SELECT payload FROM latest_forecasts WHERE tenant = $1 AND starts_with(entity_key, $2) AND metric = $3 AND horizon = $4 ORDER BY entity_key LIMIT $5`,
      [tenant, keyPrefix, metric, horizon, limit],
    );
    return rows.map((r) => Forecast.decode(r.payload));
  }

  async find(entity: EntityRef, metric: string, horizon: Horizon): Promise<Forecast | undefined> {
    const row = await this.dataSource.getRepository(StoredForecast).findOneBy({ tenant: entity.tenant, entityKey: entityKey(entity), metric, horizon });
    return row ? Forecast.decode(row.payload) : undefined;
  }
}
