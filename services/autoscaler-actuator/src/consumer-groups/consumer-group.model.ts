import { Directive, Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('ScalingDecision', { description: "The latest replica decision for a consumer group, as published on autoscaling.decisions.v1." })
export class ScalingDecisionModel {
  @Field(() => Int, { description: 'Replicas the decision took as running.' })
  currentReplicas!: number;

  @Field(() => Int)
  desiredReplicas!: number;

  @Field({ description: 'Why: the forecast peak, lag, per-consumer rate and any bound, hysteresis or cooldown that applied.' })
  reason!: string;

  @Field(() => Float, { nullable: true, description: 'Peak predicted production over the lead time, msg/s; null without a usable forecast.' })
  predictedProductionRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Predicted queue latency at the end of the lead time at the desired replicas, seconds; null when it cannot be known.' })
  predictedLagSeconds!: number | null;

  @Field({ description: 'When it was decided (RFC 3339).' })
  decidedAt!: string;
}

/** A Kafka consumer group; the key is shared by every subgraph (ARCHITECTURE.md). */
@ObjectType({ description: 'A Kafka consumer group that Prescient sizes ahead of load.' })
@Directive('@key(fields: "cluster groupId")')
export class ConsumerGroup {
  @Field()
  cluster!: string;

  @Field()
  groupId!: string;

  @Field(() => ScalingDecisionModel, { nullable: true, description: 'The latest scaling decision; null until a production forecast for the group has arrived.' })
  scaling!: ScalingDecisionModel | null;
}
