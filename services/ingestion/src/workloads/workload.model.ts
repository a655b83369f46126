import { Directive, Field, Int, ObjectType } from '@nestjs/graphql';

/** A Kubernetes workload; the key is shared by every subgraph (ARCHITECTURE.md). */
@ObjectType({ description: 'A workload (Deployment, StatefulSet, ...) that Prescient has seen samples for.' })
@Directive('@key(fields: "cluster namespace kind name")')
export class Workload {
  @Field()
  cluster!: string;

  @Field()
  namespace!: string;

  @Field({ description: 'Kubernetes kind, e.g. Deployment' })
  kind!: string;

  @Field()
  name!: string;

  @Field({ nullable: true, description: 'When the newest sample was taken (RFC 3339).' })
  lastSampleAt?: string;

  @Field(() => Int, { nullable: true, description: 'Samples received so far.' })
  samplesReceived?: number;
}
