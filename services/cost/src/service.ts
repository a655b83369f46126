import { CostServiceService } from '@prescient/contracts';
import { ServiceSpec } from '@prescient/platform';
import { AppModule } from './app.module';
import { costConfigSchema } from './config/cost.config';
import { CostGrpc } from './costs/cost.grpc';
import { RecommendationsConsumer } from './costs/recommendations.consumer';
import { StoredCost } from './costs/stored-cost.entity';
import { WorkloadCosts1764000000000 } from './migrations/1764000000000-workload-costs';

export const SERVICE_NAME = 'cost';

export const costService: ServiceSpec<typeof costConfigSchema> = {
  name: SERVICE_NAME,
  configSchema: costConfigSchema,
  entities: [StoredCost],
  migrations: [WorkloadCosts1764000000000],
  module: (platform) => AppModule.forRoot(platform),
  grpc: (app, config) => ({ port: config.GRPC_PORT, services: [{ definition: CostServiceService, implementation: app.get(CostGrpc).implementation as never }] }),
  afterStart: (app) => app.get(RecommendationsConsumer).start(SERVICE_NAME),
};
