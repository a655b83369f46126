import { Args, Context, Parent, Query, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { EntityKind } from '@prescient/contracts';
import { requireTenant, SubgraphContext } from '@prescient/platform';
import { SeenEntitiesService } from './seen-entities.service';
import { Cluster, Namespace, Node } from './topology.model';
import { toWorkload } from './workloads.resolver';
import { Workload } from './workload.model';

@Resolver(() => Cluster)
export class ClusterResolver {
  constructor(private readonly seen: SeenEntitiesService) {}

  @Query(() => [Cluster], { description: "The clusters the caller's samples come from." })
  async clusters(@Context() ctx: SubgraphContext): Promise<Cluster[]> {
    return (await this.seen.clusters(requireTenant(ctx))).map((id) => ({ id }));
  }

  @Query(() => Cluster, { nullable: true })
  async cluster(@Context() ctx: SubgraphContext, @Args('id') id: string): Promise<Cluster | null> {
    return (await this.seen.clusters(requireTenant(ctx))).includes(id) ? { id } : null;
  }

  @ResolveField(() => [Namespace])
  async namespaces(@Parent() cluster: Cluster, @Context() ctx: SubgraphContext): Promise<Namespace[]> {
    return (await this.seen.namespaces(requireTenant(ctx), cluster.id)).map((name) => ({ cluster: cluster.id, name }));
  }

  @ResolveReference()
  async resolveReference(ref: { id: string }, ctx: SubgraphContext): Promise<Cluster | null> {
    return (await this.seen.clusters(requireTenant(ctx))).includes(ref.id) ? { id: ref.id } : null;
  }
}

@Resolver(() => Namespace)
export class NamespaceResolver {
  constructor(private readonly seen: SeenEntitiesService) {}

  @ResolveField(() => [Workload])
  async workloads(@Parent() ns: Namespace, @Context() ctx: SubgraphContext): Promise<Workload[]> {
    return (await this.seen.listWorkloads(requireTenant(ctx), { cluster: ns.cluster, namespace: ns.name }, 1000)).map(toWorkload);
  }

  @ResolveReference()
  async resolveReference(ref: { cluster: string; name: string }, ctx: SubgraphContext): Promise<Namespace | null> {
    return (await this.seen.namespaces(requireTenant(ctx), ref.cluster)).includes(ref.name) ? { cluster: ref.cluster, name: ref.name } : null;
  }
}

@Resolver(() => Node)
export class NodeResolver {
  constructor(private readonly seen: SeenEntitiesService) {}

  @ResolveReference()
  async resolveReference(ref: { cluster: string; name: string }, ctx: SubgraphContext): Promise<Node | null> {
    const row = await this.seen.findEntity(requireTenant(ctx), EntityKind.ENTITY_KIND_NODE, { cluster: ref.cluster, name: ref.name });
    return row ? { cluster: row.cluster, name: row.name, lastSampleAt: row.lastSampleAt.toISOString() } : null;
  }
}
