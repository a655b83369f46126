import { Inject, Injectable } from '@nestjs/common';
import { TOPICS } from '@prescient/contracts';
import { KafkaMessaging, sampleBatchesCodec } from '@prescient/platform';
import { HistoryService } from './history.service';

/** Consumes metrics.samples.v2 as the `prediction` consumer group: instances split the partitions. */
@Injectable()
export class SamplesConsumer {
  constructor(
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    private readonly history: HistoryService,
  ) {}

  start(groupId: string): Promise<void> {
    return this.messaging.subscribe({
      topic: TOPICS.metricsSamples.name,
      groupId,
      codec: sampleBatchesCodec,
      handle: (message) => this.history.accept(message.batches),
    });
  }
}
