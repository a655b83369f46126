import { DynamicModule, Module } from '@nestjs/common';
import { subgraphModule } from '@prescient/platform';
import { ConsumerGroupStore } from './consumer-groups/consumer-group-store.service';
import { ConsumerGroupsConsumer } from './consumer-groups/consumer-groups.consumer';
import { ConsumerGroupsResolver } from './consumer-groups/consumer-groups.resolver';
import { DecisionsService } from './consumer-groups/decisions.service';
import { ObservationsService } from './consumer-groups/observations.service';

@Module({})
export class AppModule {
  static forRoot(platform: DynamicModule): DynamicModule {
    return {
      module: AppModule,
      imports: [platform, subgraphModule()],
      providers: [ConsumerGroupStore, ObservationsService, DecisionsService, ConsumerGroupsConsumer, ConsumerGroupsResolver],
    };
  }
}
