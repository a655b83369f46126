import { ServiceSpec } from '@prescient/platform';
import { AppModule } from './app.module';
import { LagCollectorService } from './kafka-lag/lag-collector.service';
import { ingestionConfigSchema } from './config/ingestion.config';
import { SeenEntities1764000000000 } from './migrations/1764000000000-seen-entities';
import { SeenEntity } from './workloads/seen-entity.entity';

export const SERVICE_NAME = 'ingestion';

export const ingestionService: ServiceSpec<typeof ingestionConfigSchema> = {
  name: SERVICE_NAME,
  configSchema: ingestionConfigSchema,
  entities: [SeenEntity],
  migrations: [SeenEntities1764000000000],
  module: (platform) => AppModule.forRoot(platform),
  rawBodyRoutes: ['/api/v1/write'],
  afterStart: (app) => app.get(LagCollectorService).start(),
};
