import { Context, Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { Cloud, workloadRef } from '@prescient/contracts';
import { requireTenant, SubgraphContext } from '@prescient/platform';
import { CostStore, PricedWorkload } from './cost-store.service';
import { CloudProvider, Workload, WorkloadCostModel } from './cost.model';

const PROVIDER: Partial<Record<Cloud, CloudProvider>> = {
  [Cloud.CLOUD_AWS]: CloudProvider.AWS,
  [Cloud.CLOUD_AZURE]: CloudProvider.AZURE,
  [Cloud.CLOUD_GCP]: CloudProvider.GCP,
};

export function toGraphQL({ cost, caveats, recommendationGeneratedAtMs }: PricedWorkload): WorkloadCostModel {
  return {
    clouds: cost.clouds
      .filter((c) => PROVIDER[c.cloud] !== undefined)
      .map((c) => ({ cloud: PROVIDER[c.cloud]!, region: c.region, currentMonthlyUsd: c.currentMonthlyUsd, recommendedMonthlyUsd: c.recommendedMonthlyUsd, savingsMonthlyUsd: c.savingsMonthlyUsd })),
    computedAt: new Date(cost.computedAtMs).toISOString(),
    recommendationGeneratedAt: new Date(recommendationGeneratedAtMs).toISOString(),
    caveats,
  };
}

@Resolver(() => Workload)
export class CostResolver {
  constructor(private readonly store: CostStore) {}

  @ResolveReference()
  resolveReference(ref: Workload): Workload {
    return ref;
  }

  @ResolveField(() => WorkloadCostModel, { nullable: true, description: "The workload's monthly cost now and as recommended, per cloud; null until a recommendation for it has been priced." })
  async cost(@Parent() workload: Workload, @Context() ctx: SubgraphContext): Promise<WorkloadCostModel | null> {
    const tenant = requireTenant(ctx);
    const stored = await this.store.find(workloadRef(tenant, workload.cluster, workload.namespace, workload.kind, workload.name));
    return stored ? toGraphQL(stored) : null;
  }
}
