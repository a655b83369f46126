import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EntityRef, Recommendation, entityKey } from '@prescient/contracts';
import { StoredRecommendation } from './stored-recommendation.entity';

/** Latest recommendations in PostgreSQL; every read is scoped by tenant. */
@Injectable()
export class RecommendationStore {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async save(r: Recommendation): Promise<void> {
    await this.dataSource.getRepository(StoredRecommendation).upsert(
      { tenant: r.entity!.tenant, entityKey: entityKey(r.entity!), generatedAt: new Date(r.generatedAtMs), payload: Buffer.from(Recommendation.encode(r).finish()) },
      ['tenant', 'entityKey'],
    );
  }

  async find(entity: EntityRef): Promise<Recommendation | undefined> {
    const row = await this.dataSource.getRepository(StoredRecommendation).findOneBy({ tenant: entity.tenant, entityKey: entityKey(entity) });
    return row ? Recommendation.decode(row.payload) : undefined;
  }
}
