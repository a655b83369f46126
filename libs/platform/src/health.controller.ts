import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { ServiceMetrics } from '@prescient/telemetry';
import { KafkaMessaging } from './messaging';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout(check: Promise<boolean>): Promise<boolean> {
  return Promise.race([check.catch(() => false), new Promise<boolean>((r) => setTimeout(() => r(false), CHECK_TIMEOUT_MS).unref())]);
}

/** Liveness, readiness (Kafka and PostgreSQL both reachable) and Prometheus metrics. */
@Controller()
export class HealthController {
  constructor(
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ServiceMetrics) private readonly metrics: ServiceMetrics,
  ) {}

  @Get('healthz')
  @Header('Cache-Control', 'no-store')
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Header('Cache-Control', 'no-store')
  async readyz(@Res() res: Response): Promise<void> {
    const [kafka, postgres] = await Promise.all([
      withTimeout(this.messaging.ping()),
      withTimeout(this.dataSource.query('SELECT 1').then(() => true)),
    ]);
    const ready = kafka && postgres;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: { kafka, postgres } });
  }

  @Get('metrics')
  async metricsEndpoint(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    res.setHeader('Content-Type', contentType);
    res.send(body);
  }
}
