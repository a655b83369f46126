import { Field, Float, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'Advice for one setting: CPU in millicores, memory in bytes, replicas in pods.' })
export class ResourceAdvice {
  @Field(() => Float, { nullable: true, description: 'Today\'s value; null when not set or not known.' })
  current?: number;

  @Field(() => Float, { nullable: true, description: 'The advised value; null when nothing is advised (reason says why).' })
  recommended?: number;

  @Field(() => Float, { nullable: true, description: 'current − recommended; positive frees capacity.' })
  savings?: number;

  @Field()
  reason!: string;
}

@ObjectType({ description: 'Requests, limits and replicas advised from the 24 h forecasts.' })
export class WorkloadRecommendation {
  @Field(() => ResourceAdvice)
  cpuRequestMillicores!: ResourceAdvice;

  @Field(() => ResourceAdvice)
  cpuLimitMillicores!: ResourceAdvice;

  @Field(() => ResourceAdvice)
  memoryRequestBytes!: ResourceAdvice;

  @Field(() => ResourceAdvice)
  memoryLimitBytes!: ResourceAdvice;

  @Field(() => ResourceAdvice)
  replicas!: ResourceAdvice;

  @Field({ description: 'When it was computed (RFC 3339).' })
  generatedAt!: string;

  @Field({ description: 'When the newest forecast it used was computed (RFC 3339).' })
  forecastGeneratedAt!: string;
}

/** This subgraph's view of a Workload: the shared key; the resolver adds its field. */
export { WorkloadReference as Workload } from '@prescient/platform';
