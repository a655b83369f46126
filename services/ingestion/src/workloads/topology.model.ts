import { Directive, Field, ObjectType } from '@nestjs/graphql';
import { Workload } from './workload.model';

/** A Kubernetes cluster, as far as the tenant's samples reveal it. */
@ObjectType()
@Directive('@key(fields: "id")')
export class Cluster {
  @Field({ description: 'The cluster name samples carry (label `cluster`, else the ingestion default).' })
  id!: string;

  @Field(() => [Namespace], { description: "The tenant's namespaces seen in this cluster." })
  namespaces?: Namespace[];
}

@ObjectType()
@Directive('@key(fields: "cluster name")')
export class Namespace {
  @Field()
  cluster!: string;

  @Field()
  name!: string;

  @Field(() => [Workload])
  workloads?: Workload[];
}

/** A node; its samples arrive with the node-exporter mapping of the Ingestion issue. */
@ObjectType()
@Directive('@key(fields: "cluster name")')
export class Node {
  @Field()
  cluster!: string;

  @Field()
  name!: string;

  @Field({ nullable: true, description: 'When the newest sample was taken (RFC 3339).' })
  lastSampleAt?: string;
}
