import { Inject, Injectable } from '@nestjs/common';
import { EntityKind, METRICS, TOPICS } from '@prescient/contracts';
import { KafkaMessaging, predictionEventCodec } from '@prescient/platform';
import { RecommenderService } from './recommender.service';

const RELEVANT = new Set<string>([METRICS.cpuUsageCores, METRICS.memoryWorkingSetBytes]);

/** Consumes predictions.v1 as the `recommendation` group: each workload CPU/memory forecast triggers a recompute. */
@Injectable()
export class PredictionsConsumer {
  constructor(
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    private readonly recommender: RecommenderService,
  ) {}

  start(groupId: string): Promise<void> {
    return this.messaging.subscribe({
      topic: TOPICS.predictions.name,
      groupId,
      codec: predictionEventCodec,
      handle: async (event) => {
        if (event.entity!.kind !== EntityKind.ENTITY_KIND_WORKLOAD || !RELEVANT.has(event.metric)) return;
        await this.recommender.recompute(event.entity!, event.forecasts);
      },
    });
  }
}
