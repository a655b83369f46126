import { DynamicModule, Module } from '@nestjs/common';
import { subgraphModule } from '@prescient/platform';
import { PredictionClient } from './recommendations/prediction.client';
import { PredictionsConsumer } from './recommendations/predictions.consumer';
import { RecommendationStore } from './recommendations/recommendation-store.service';
import { RecommendationGrpc } from './recommendations/recommendation.grpc';
import { Workload } from './recommendations/recommendation.model';
import { RecommendationResolver } from './recommendations/recommendation.resolver';
import { RecommenderService } from './recommendations/recommender.service';

@Module({})
export class AppModule {
  static forRoot(platform: DynamicModule): DynamicModule {
    return {
      module: AppModule,
      imports: [platform, subgraphModule([Workload])],
      providers: [PredictionClient, RecommendationStore, RecommenderService, PredictionsConsumer, RecommendationGrpc, RecommendationResolver],
    };
  }
}
