import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { credentials, Metadata, status } from '@grpc/grpc-js';
import { EntityRef, Forecast, ForecastRequest, Horizon, PredictionServiceClient } from '@prescient/contracts';
import { SERVICE_CONFIG } from '@prescient/platform';
import { RecommendationConfig } from '../config/recommendation.config';

/** gRPC client of PredictionService; trace context rides in metadata (OTel's gRPC instrumentation). */
@Injectable()
export class PredictionClient implements OnApplicationShutdown {
  private readonly client: PredictionServiceClient;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: RecommendationConfig) {
    this.client = new PredictionServiceClient(config.PREDICTION_GRPC_ADDR, credentials.createInsecure());
  }

  /** The 24 h forecast with the given quantiles, or undefined when prediction has none (NOT_FOUND). */
  forecast24h(entity: EntityRef, metric: string, quantiles: number[]): Promise<Forecast | undefined> {
    const request = ForecastRequest.fromPartial({ entity, metric, horizon: Horizon.HORIZON_24H, quantiles });
    const deadline = new Date(Date.now() + this.config.PREDICTION_RPC_TIMEOUT_MS);
    return new Promise((resolve, reject) =>
      this.client.forecast(request, new Metadata(), { deadline }, (error, response) => {
        if (error?.code === status.NOT_FOUND) resolve(undefined);
        else if (error) reject(error);
        else resolve(response);
      }),
    );
  }

  onApplicationShutdown(): void {
    this.client.close();
  }
}
