import { Args, Context, Int, Parent, Query, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import { workloadRef, entityKey } from '@prescient/contracts';
import { RollupStore } from '../rollups/rollup-store.service';
import { UsagePoint } from '../rollups/usage.model';
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
  constructor(
    private readonly seen: SeenEntitiesService,
    private readonly rollups: RollupStore,
  ) {}

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

  @ResolveField(() => [UsagePoint], { description: '5-minute rollups of a metric (e.g. cpu_usage_cores) between two instants (RFC 3339; default the last 24 h).' })
  async usage(
    @Parent() w: Workload,
    @Context() ctx: SubgraphContext,
    @Args('metric') metric: string,
    @Args('from', { nullable: true }) from?: string,
    @Args('to', { nullable: true }) to?: string,
  ): Promise<UsagePoint[]> {
    const tenant = requireTenant(ctx);
    const toMs = to === undefined ? Date.now() : Date.parse(to);
    const fromMs = from === undefined ? toMs - 86_400_000 : Date.parse(from);
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new GraphQLError('from and to must be RFC 3339 instants', { extensions: { code: 'BAD_USER_INPUT' } });
    if (toMs - fromMs > 40 * 86_400_000) throw new GraphQLError('at most 40 days per query', { extensions: { code: 'BAD_USER_INPUT' } });
    const key = entityKey(workloadRef(tenant, w.cluster, w.namespace, w.kind, w.name));
    const points = await this.rollups.read(tenant, key, metric, fromMs, toMs);
    return points.map((p) => ({ start: new Date(p.bucketStartMs).toISOString(), min: p.min, max: p.max, avg: p.avg, count: p.count, last: p.last }));
  }

  @ResolveReference()
  async resolveReference(ref: Workload, ctx: SubgraphContext): Promise<Workload | null> {
    const row = await this.seen.findWorkload(requireTenant(ctx), ref);
    return row ? toWorkload(row) : null;
  }
}
