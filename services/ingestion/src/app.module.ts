import { DynamicModule, Module } from '@nestjs/common';
import { subgraphModule } from '@prescient/platform';
import { LagCollectorService } from './kafka-lag/lag-collector.service';
import { RollupStore } from './rollups/rollup-store.service';
import { RollupsConsumer } from './rollups/rollups.consumer';
import { CardinalityResolver } from './tenants/cardinality.resolver';
import { BackfillModule } from './backfill/backfill.module';
import { ScrapeModule } from './scrape/scrape.module';
import { RemoteWriteController } from './remote-write/remote-write.controller';
import { RemoteWriteService } from './remote-write/remote-write.service';
import { RawSeriesMapper } from './remote-write/raw-series-mapper.service';
import { SeenEntitiesService } from './workloads/seen-entities.service';
import { ClusterResolver, NamespaceResolver, NodeResolver } from './workloads/topology.resolver';
import { Node } from './workloads/topology.model';
import { WorkloadsResolver } from './workloads/workloads.resolver';

@Module({})
export class AppModule {
  static forRoot(platform: DynamicModule): DynamicModule {
    return {
      module: AppModule,
      imports: [platform, subgraphModule([Node]), ScrapeModule, BackfillModule],
      controllers: [RemoteWriteController],
      providers: [CardinalityResolver, RollupStore, RollupsConsumer, LagCollectorService, RemoteWriteService, RawSeriesMapper, SeenEntitiesService, WorkloadsResolver, ClusterResolver, NamespaceResolver, NodeResolver],
    };
  }
}
