import { Args, Context, Int, Query, Resolver, ResolveReference } from '@nestjs/graphql';
import { requireTenant, SubgraphContext } from '@prescient/platform';
import { SeenEntity } from './seen-entity.entity';
import { SeenEntitiesService } from './seen-entities.service';
import { Workload } from './workload.model';

export function toWorkload(row: SeenEntity): Workload {
  return {
    cluster: row.cluster, namespace: row.namespace, kind: row.workloadKind, name: row.name,
    lastSampleAt: row.lastSampleAt.toISOString(), samplesReceived: Number(row.samplesTotal),
  };
}

@Resolver(() => Workload)
export class WorkloadsResolver {
  constructor(private readonly seen: SeenEntitiesService) {}

  @Query(() => Workload, { nullable: true, description: "One workload of the caller's tenant." })
  async workload(
    @Context() ctx: SubgraphContext,
    @Args('cluster') cluster: string,
    @Args('namespace') namespace: string,
    @Args('kind') kind: string,
    @Args('name') name: string,
  ): Promise<Workload | null> {
    const row = await this.seen.findWorkload(requireTenant(ctx), { cluster, namespace, kind, name });
    return row ? toWorkload(row) : null;
  }

  @Query(() => [Workload], { description: "The caller's workloads, optionally in one cluster or namespace." })
  async workloads(
    @Context() ctx: SubgraphContext,
    @Args('cluster', { nullable: true }) cluster?: string,
    @Args('namespace', { nullable: true }) namespace?: string,
    @Args('first', { type: () => Int, defaultValue: 100 }) first = 100,
  ): Promise<Workload[]> {
    const rows = await this.seen.listWorkloads(requireTenant(ctx), { cluster, namespace }, Math.min(Math.max(first, 1), 1000));
    return rows.map(toWorkload);
  }

  @ResolveReference()
  async resolveReference(ref: Workload, ctx: SubgraphContext): Promise<Workload | null> {
    const row = await this.seen.findWorkload(requireTenant(ctx), ref);
    return row ? toWorkload(row) : null;
  }
}
