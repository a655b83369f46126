import { Inject, Injectable } from '@nestjs/common';
import { TOPICS } from '@prescient/contracts';
import { KafkaMessaging, predictionEventCodec, sampleBatchesCodec } from '@prescient/platform';
import { DecisionsService } from './decisions.service';
import { ObservationsService } from './observations.service';

/**
 * The service's two subscriptions, each its own consumer group: kafkajs assigns a group's partitions
 * over every member's topics alike, so members of one group must subscribe to the same topics.
 * Both place an entity on one partition (samples grouped by its key's partition, predictions keyed
 * by it), so one group's messages stay ordered.
 */
@Injectable()
export class ConsumerGroupsConsumer {
  constructor(
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    private readonly observations: ObservationsService,
    private readonly decisions: DecisionsService,
  ) {}

  async start(serviceName: string): Promise<void> {
    await this.messaging.subscribe({
      topic: TOPICS.metricsSamples.name,
      groupId: `${serviceName}-samples`,
      codec: sampleBatchesCodec,
      handle: async (message) => {
        for (const batch of message.batches) await this.observations.accept(batch);
      },
    });
    await this.messaging.subscribe({
      topic: TOPICS.predictions.name,
      groupId: serviceName,
      codec: predictionEventCodec,
      handle: (event) => this.decisions.onPrediction(event),
    });
  }
}
