import { DynamicModule, Module } from '@nestjs/common';
import { subgraphModule } from '@prescient/platform';
import { ForecastStore } from './forecasts/forecast-store.service';
import { ForecastGrpc } from './forecasts/forecast.grpc';
import { ClusterReference, ConsumerGroupReference, NamespaceReference, NodeReference, Workload } from './forecasts/forecast.model';
import { ClusterForecastResolver, ConsumerGroupForecastResolver, ForecastFields, ForecastResolver, NamespaceForecastResolver, NodeForecastResolver } from './forecasts/forecast.resolver';
import { HistoryService } from './forecasts/history.service';
import { HistoryStore } from './forecasts/history-store.service';
import { SamplesConsumer } from './forecasts/samples.consumer';

@Module({})
export class AppModule {
  static forRoot(platform: DynamicModule): DynamicModule {
    return {
      module: AppModule,
      imports: [platform, subgraphModule([Workload, NodeReference, NamespaceReference, ClusterReference, ConsumerGroupReference])],
      providers: [ForecastStore, HistoryStore, HistoryService, SamplesConsumer, ForecastGrpc, ForecastFields, ForecastResolver, NodeForecastResolver, ConsumerGroupForecastResolver, NamespaceForecastResolver, ClusterForecastResolver],
    };
  }
}
