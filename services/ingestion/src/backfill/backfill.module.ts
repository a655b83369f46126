import { Module } from '@nestjs/common';
import { BackfillProgressStore } from './backfill-progress.store';
import { BackfillService } from './backfill.service';

/**
 * Backfill through Prometheus-compatible query_range APIs. Needs the platform module (global) and
 * the BackfillProgress migration; `BackfillService.start()` is called once the service listens.
 */
@Module({
  providers: [BackfillService, BackfillProgressStore],
  exports: [BackfillService, BackfillProgressStore],
})
export class BackfillModule {}
