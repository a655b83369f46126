import { Directive, Field, ObjectType } from '@nestjs/graphql';

/**
 * The shared Workload entity as a subgraph that only adds fields to it sees it: its key and nothing
 * else (ARCHITECTURE.md: `Workload(cluster, namespace, kind, name)`). Each subgraph process builds
 * its own schema, so sharing the class is safe.
 */
@ObjectType('Workload')
@Directive('@key(fields: "cluster namespace kind name")')
export class WorkloadReference {
  @Field()
  cluster!: string;

  @Field()
  namespace!: string;

  @Field({ description: 'Kubernetes kind, e.g. Deployment' })
  kind!: string;

  @Field()
  name!: string;
}
