import { DynamicModule, Module } from '@nestjs/common';
import { subgraphModule } from '@prescient/platform';
import { CostStore } from './costs/cost-store.service';
import { CostGrpc } from './costs/cost.grpc';
import { Workload } from './costs/cost.model';
import { CostResolver } from './costs/cost.resolver';
import { PricingService } from './costs/pricing.service';
import { RecommendationsConsumer } from './costs/recommendations.consumer';

@Module({})
export class AppModule {
  static forRoot(platform: DynamicModule): DynamicModule {
    return {
      module: AppModule,
      imports: [platform, subgraphModule([Workload])],
      providers: [CostStore, PricingService, RecommendationsConsumer, CostGrpc, CostResolver],
    };
  }
}
