import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EntityRef, Forecast, Horizon, entityKey } from '@prescient/contracts';
import { StoredForecast } from './stored-forecast.entity';

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

  async find(entity: EntityRef, metric: string, horizon: Horizon): Promise<Forecast | undefined> {
    const row = await this.dataSource.getRepository(StoredForecast).findOneBy({ tenant: entity.tenant, entityKey: entityKey(entity), metric, horizon });
    return row ? Forecast.decode(row.payload) : undefined;
  }
}
