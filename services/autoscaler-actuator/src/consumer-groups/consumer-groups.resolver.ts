import { Args, Context, Int, Query, Resolver, ResolveReference } from '@nestjs/graphql';
import { requireTenant, SubgraphContext } from '@prescient/platform';
import { ConsumerGroupRow } from './consumer-group.entity';
import { ConsumerGroup } from './consumer-group.model';
import { ConsumerGroupStore } from './consumer-group-store.service';

function toConsumerGroup(row: ConsumerGroupRow): ConsumerGroup {
  const decided = row.desiredReplicas !== null && row.currentReplicas !== null && row.decidedAt !== null;
  return {
    cluster: row.cluster,
    groupId: row.groupId,
    scaling: decided
      ? {
          currentReplicas: row.currentReplicas!, desiredReplicas: row.desiredReplicas!, reason: row.reason ?? '',
          predictedProductionRate: row.predictedProductionRate, predictedLagSeconds: row.predictedLagSeconds, decidedAt: row.decidedAt!.toISOString(),
        }
      : null,
  };
}

@Resolver(() => ConsumerGroup)
export class ConsumerGroupsResolver {
  constructor(private readonly store: ConsumerGroupStore) {}

  @Query(() => [ConsumerGroup], { description: "The caller's consumer groups (those with samples or a decision), optionally in one cluster." })
  async consumerGroups(
    @Context() ctx: SubgraphContext,
    @Args('cluster', { nullable: true }) cluster?: string,
    @Args('first', { type: () => Int, defaultValue: 100 }) first = 100,
  ): Promise<ConsumerGroup[]> {
    const rows = await this.store.list(requireTenant(ctx), cluster, Math.min(Math.max(first, 1), 1000));
    return rows.map(toConsumerGroup);
  }

  /** A group this service has not seen is still that group: its scaling is null, not the entity. */
  @ResolveReference()
  async resolveReference(ref: { cluster: string; groupId: string }, ctx: SubgraphContext): Promise<ConsumerGroup> {
    const row = await this.store.find({ tenant: requireTenant(ctx), cluster: ref.cluster, groupId: ref.groupId });
    return row ? toConsumerGroup(row) : { cluster: ref.cluster, groupId: ref.groupId, scaling: null };
  }
}
