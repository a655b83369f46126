import { DynamicModule, Module } from '@nestjs/common';
import { subgraphModule } from '@prescient/platform';
import { ForecastStore } from './forecasts/forecast-store.service';
import { ForecastGrpc } from './forecasts/forecast.grpc';
import { Workload } from './forecasts/forecast.model';
import { ForecastResolver } from './forecasts/forecast.resolver';
import { HistoryService } from './forecasts/history.service';
import { SamplesConsumer } from './forecasts/samples.consumer';

@Module({})
export class AppModule {
  static forRoot(platform: DynamicModule): DynamicModule {
    return {
      module: AppModule,
      imports: [platform, subgraphModule([Workload])],
      providers: [ForecastStore, HistoryService, SamplesConsumer, ForecastGrpc, ForecastResolver],
    };
  }
}
