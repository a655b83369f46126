import { DynamicModule, Global, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ServiceMetrics } from '@prescient/telemetry';
import { BaseConfig } from './config';
import { HealthController } from './health.controller';
import { JsonLogger } from './logger';
import { KafkaMessaging } from './messaging';

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

export interface PlatformDeps<C extends BaseConfig = BaseConfig> {
  config: C;
  logger: JsonLogger;
  metrics: ServiceMetrics;
  messaging: KafkaMessaging;
  dataSource: DataSource;
}

/** Makes the connections opened by `runService` injectable, and serves health and metrics. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(deps: PlatformDeps): DynamicModule {
    const providers = [
      { provide: SERVICE_CONFIG, useValue: deps.config },
      { provide: JsonLogger, useValue: deps.logger },
      { provide: ServiceMetrics, useValue: deps.metrics },
      { provide: KafkaMessaging, useValue: deps.messaging },
      { provide: DataSource, useValue: deps.dataSource },
    ];
    return { module: PlatformModule, controllers: [HealthController], providers, exports: providers.map((p) => p.provide) };
  }
}
