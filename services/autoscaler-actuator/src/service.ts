import { ServiceSpec } from '@prescient/platform';
import { AppModule } from './app.module';
import { autoscalerActuatorConfigSchema } from './config/autoscaler-actuator.config';
import { ConsumerGroupRow } from './consumer-groups/consumer-group.entity';
import { ConsumerGroupsConsumer } from './consumer-groups/consumer-groups.consumer';
import { ConsumerGroups1764000000000 } from './migrations/1764000000000-consumer-groups';

/** Also the consumer group of predictions.v1; its PostgreSQL schema is `autoscaler_actuator` (schemaName). */
export const SERVICE_NAME = 'autoscaler-actuator';

export const autoscalerActuatorService: ServiceSpec<typeof autoscalerActuatorConfigSchema> = {
  name: SERVICE_NAME,
  configSchema: autoscalerActuatorConfigSchema,
  entities: [ConsumerGroupRow],
  migrations: [ConsumerGroups1764000000000],
  module: (platform) => AppModule.forRoot(platform),
  afterStart: (app) => app.get(ConsumerGroupsConsumer).start(SERVICE_NAME),
};
