import { Module } from '@nestjs/common';
import { ScrapeService } from './scrape.service';

/**
 * Scraping of Prometheus/OpenMetrics endpoints. Needs the platform module (global) for the config,
 * Kafka, metrics and logger; `ScrapeService.start()` is called once the service listens.
 */
@Module({
  providers: [ScrapeService],
  exports: [ScrapeService],
})
export class ScrapeModule {}
