import { Inject, Injectable } from '@nestjs/common';
import { TOPICS } from '@prescient/contracts';
import { KafkaMessaging, recommendationCodec } from '@prescient/platform';
import { PricingService } from './pricing.service';

/** Consumes recommendations.v1 as the `cost` consumer group: instances split the partitions. */
@Injectable()
export class RecommendationsConsumer {
  constructor(
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    private readonly pricing: PricingService,
  ) {}

  start(groupId: string): Promise<void> {
    return this.messaging.subscribe({
      topic: TOPICS.recommendations.name,
      groupId,
      codec: recommendationCodec,
      handle: (recommendation) => this.pricing.accept(recommendation),
    });
  }
}
