import { Inject, Injectable } from '@nestjs/common';
import { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { entityProblem, Forecast, ForecastRequest, PredictionServiceServer } from '@prescient/contracts';
import { GrpcStatus, grpcError } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { ForecastError, normalizeQuantiles } from '../domain';
import { horizonFromContract, selectQuantiles } from '../domain/to-contract';
import { ForecastStore } from './forecast-store.service';
import { HistoryService } from './history.service';

/** gRPC `PredictionService.Forecast`: fresh from memory when the series is held, else the stored latest. */
@Injectable()
export class ForecastGrpc {
  private readonly calls;

  constructor(
    private readonly history: HistoryService,
    private readonly store: ForecastStore,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
  ) {
    this.calls = metrics.counter('grpc_forecast_requests_total', 'Forecast RPCs by status', ['code']);
  }

  readonly implementation: PredictionServiceServer = {
    forecast: (call: ServerUnaryCall<ForecastRequest, Forecast>, callback: sendUnaryData<Forecast>) => {
      this.forecast(call.request).then(
        (forecast) => {
          this.calls.inc({ code: 'OK' });
          callback(null, forecast);
        },
        (error: Error & { code?: GrpcStatus }) => {
          const code = error.code ?? GrpcStatus.INTERNAL;
          this.calls.inc({ code: GrpcStatus[code] });
          callback(code === GrpcStatus.INTERNAL ? grpcError(code, 'internal error') : error);
        },
      );
    },
  };

  async forecast(request: ForecastRequest): Promise<Forecast> {
    const problem = entityProblem(request.entity);
    if (problem) throw grpcError(GrpcStatus.INVALID_ARGUMENT, problem);
    if (!request.metric) throw grpcError(GrpcStatus.INVALID_ARGUMENT, 'metric is empty');
    const horizon = horizonFromContract(request.horizon);
    if (!horizon) throw grpcError(GrpcStatus.INVALID_ARGUMENT, `horizon ${request.horizon} is not one of HORIZON_24H, HORIZON_7D, HORIZON_30D`);
    let quantiles: number[];
    try {
      quantiles = normalizeQuantiles(request.quantiles);
    } catch (error) {
      throw grpcError(GrpcStatus.INVALID_ARGUMENT, (error as Error).message);
    }
    try {
      const fresh = this.history.forecastNow(request.entity!, request.metric, horizon, quantiles);
      if (fresh) return fresh;
    } catch (error) {
      if (error instanceof ForecastError) throw grpcError(GrpcStatus.FAILED_PRECONDITION, error.message);
      throw error;
    }
    const stored = await this.store.find(request.entity!, request.metric, request.horizon);
    if (!stored) throw grpcError(GrpcStatus.NOT_FOUND, `no forecast for ${request.metric} of this entity yet`);
    const missing = quantiles.filter((q) => !stored.points[0]?.quantiles.some((v) => v.quantile === q));
    if (missing.length > 0) throw grpcError(GrpcStatus.FAILED_PRECONDITION, `quantiles ${missing.join(', ')} need the series' history, which this instance does not hold`);
    return selectQuantiles(stored, quantiles);
  }
}
