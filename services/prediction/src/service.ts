import { PredictionServiceService } from '@prescient/contracts';
import { ServiceSpec } from '@prescient/platform';
import { AppModule } from './app.module';
import { predictionConfigSchema } from './config/prediction.config';
import { ForecastGrpc } from './forecasts/forecast.grpc';
import { HistoryService } from './forecasts/history.service';
import { SamplesConsumer } from './forecasts/samples.consumer';
import { StoredForecast } from './forecasts/stored-forecast.entity';
import { LatestForecasts1764000000000 } from './migrations/1764000000000-latest-forecasts';
import { SeriesHistory1764300000000 } from './migrations/1764300000000-series-history';

export const SERVICE_NAME = 'prediction';

export const predictionService: ServiceSpec<typeof predictionConfigSchema> = {
  name: SERVICE_NAME,
  configSchema: predictionConfigSchema,
  entities: [StoredForecast],
  migrations: [LatestForecasts1764000000000, SeriesHistory1764300000000],
  module: (platform) => AppModule.forRoot(platform),
  grpc: (app, config) => ({ port: config.GRPC_PORT, services: [{ definition: PredictionServiceService, implementation: app.get(ForecastGrpc).implementation as never }] }),
  afterStart: async (app) => {
    app.get(HistoryService).startSnapshots();
    await app.get(SamplesConsumer).start(SERVICE_NAME);
  },
};
