import { Args, Context, Mutation, Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { Recommendation, ResourceAdvice as ContractAdvice, workloadRef } from '@prescient/contracts';
import { requireTenant, SubgraphContext } from '@prescient/platform';
import { RecommendationStore } from './recommendation-store.service';
import { RecommenderService } from './recommender.service';
import { ResourceAdvice, Workload, WorkloadRecommendation } from './recommendation.model';

const iso = (ms: number) => new Date(ms).toISOString();

function advice(a: ContractAdvice | undefined): ResourceAdvice {
  if (!a) return { reason: 'not computed' };
  const savings = a.current !== undefined && a.recommended !== undefined ? a.current - a.recommended : undefined;
  return { current: a.current, recommended: a.recommended, savings, reason: a.reason };
}

export function toGraphQL(r: Recommendation): WorkloadRecommendation {
  return {
    cpuRequestMillicores: advice(r.cpuRequestMillicores),
    cpuLimitMillicores: advice(r.cpuLimitMillicores),
    memoryRequestBytes: advice(r.memoryRequestBytes),
    memoryLimitBytes: advice(r.memoryLimitBytes),
    replicas: advice(r.replicas),
    generatedAt: iso(r.generatedAtMs),
    forecastGeneratedAt: iso(r.forecastGeneratedAtMs),
  };
}

@Resolver(() => Workload)
export class RecommendationResolver {
  constructor(
    private readonly store: RecommendationStore,
    private readonly recommender: RecommenderService,
  ) {}

  @ResolveReference()
  resolveReference(ref: Workload): Workload {
    return ref;
  }

  @ResolveField(() => WorkloadRecommendation, { nullable: true, description: 'The latest recommendation; null until forecasts exist.' })
  async recommendation(@Parent() w: Workload, @Context() ctx: SubgraphContext): Promise<WorkloadRecommendation | null> {
    const stored = await this.store.find(workloadRef(requireTenant(ctx), w.cluster, w.namespace, w.kind, w.name));
    return stored ? toGraphQL(stored) : null;
  }

  @Mutation(() => WorkloadRecommendation, {
    description: 'Recomputes a workload\'s recommendation now from its latest forecasts and publishes it (cost reprices it).',
  })
  async refreshRecommendation(
    @Context() ctx: SubgraphContext,
    @Args('cluster') cluster: string,
    @Args('namespace') namespace: string,
    @Args('kind') kind: string,
    @Args('name') name: string,
  ): Promise<WorkloadRecommendation> {
    const outcome = await this.recommender.recompute(workloadRef(requireTenant(ctx), cluster, namespace, kind, name));
    if ('skipped' in outcome) {
      throw new GraphQLError(`no recommendation: ${outcome.skipped.replace(/_/g, ' ')}`, { extensions: { code: 'FAILED_PRECONDITION', reason: outcome.skipped } });
    }
    return toGraphQL(outcome.recommendation);
  }
}
