import { ServiceSpec } from '@prescient/platform';
import { AppModule } from './app.module';
import { BackfillProgress1764260000000 } from './backfill/backfill-progress.migration';
import { BackfillService } from './backfill/backfill.service';
import { ScrapeService } from './scrape/scrape.service';
import { LagCollectorService } from './kafka-lag/lag-collector.service';
import { Rollups1764100000000 } from './migrations/1764100000000-rollups';
import { RollupsConsumer } from './rollups/rollups.consumer';
import { RawSeriesMapper } from './remote-write/raw-series-mapper.service';
import { ingestionConfigSchema } from './config/ingestion.config';
import { SeenEntities1764000000000 } from './migrations/1764000000000-seen-entities';
import { SeenEntity } from './workloads/seen-entity.entity';

export const SERVICE_NAME = 'ingestion';

export const ingestionService: ServiceSpec<typeof ingestionConfigSchema> = {
  name: SERVICE_NAME,
  configSchema: ingestionConfigSchema,
  entities: [SeenEntity],
  migrations: [SeenEntities1764000000000, Rollups1764100000000, BackfillProgress1764260000000],
  module: (platform) => AppModule.forRoot(platform),
  rawBodyRoutes: ['/api/v1/write'],
  afterStart: async (app, { config }) => {
    const roles = config.INGESTION_ROLES;
    if (roles.has('receiver')) app.get(RawSeriesMapper).start();
    if (roles.has('rollups')) await app.get(RollupsConsumer).start();
    if (roles.has('collectors')) {
      await app.get(LagCollectorService).start();
      await app.get(ScrapeService).start();
      await app.get(BackfillService).start();
    }
  },
};
