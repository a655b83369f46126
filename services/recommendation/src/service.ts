import { RecommendationServiceService } from '@prescient/contracts';
import { ServiceSpec } from '@prescient/platform';
import { AppModule } from './app.module';
import { recommendationConfigSchema } from './config/recommendation.config';
import { LatestRecommendations1764000000000 } from './migrations/1764000000000-latest-recommendations';
import { PredictionsConsumer } from './recommendations/predictions.consumer';
import { RecommendationGrpc } from './recommendations/recommendation.grpc';
import { StoredRecommendation } from './recommendations/stored-recommendation.entity';

export const SERVICE_NAME = 'recommendation';

export const recommendationService: ServiceSpec<typeof recommendationConfigSchema> = {
  name: SERVICE_NAME,
  configSchema: recommendationConfigSchema,
  entities: [StoredRecommendation],
  migrations: [LatestRecommendations1764000000000],
  module: (platform) => AppModule.forRoot(platform),
  grpc: (app, config) => ({ port: config.GRPC_PORT, services: [{ definition: RecommendationServiceService, implementation: app.get(RecommendationGrpc).implementation as never }] }),
  afterStart: (app) => app.get(PredictionsConsumer).start(SERVICE_NAME),
};
