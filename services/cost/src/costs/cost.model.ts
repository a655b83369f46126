import { Field, Float, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum CloudProvider {
  AWS = 'AWS',
  AZURE = 'AZURE',
  GCP = 'GCP',
}
registerEnumType(CloudProvider, { name: 'CloudProvider', description: 'A public cloud the workload is priced on.' });

@ObjectType('CloudCost', { description: 'A workload\'s on-demand cost on one cloud: its requests × replicas as a share of a general-purpose instance; a comparison, not a bill.' })
export class CloudCostModel {
  @Field(() => CloudProvider)
  cloud!: CloudProvider;

  @Field({ description: 'The region whose list prices are used.' })
  region!: string;

  @Field(() => Float, { description: 'Monthly (730 h) cost in US dollars of what the workload requests today.' })
  currentMonthlyUsd!: number;

  @Field(() => Float, { description: 'Monthly (730 h) cost in US dollars of what the recommendation would request.' })
  recommendedMonthlyUsd!: number;

  @Field(() => Float, { description: 'current − recommended; negative when the recommendation costs more.' })
  savingsMonthlyUsd!: number;
}

@ObjectType('WorkloadCost', { description: 'What a workload costs now and as recommended, on AWS, Azure and GCP.' })
export class WorkloadCostModel {
  @Field(() => [CloudCostModel])
  clouds!: CloudCostModel[];

  @Field({ description: 'When it was priced (RFC 3339).' })
  computedAt!: string;

  @Field({ description: 'When the recommendation it prices was generated (RFC 3339).' })
  recommendationGeneratedAt!: string;

  @Field(() => [String], { description: 'What the figures rest on where the recommendation lacked a figure (e.g. an unknown current memory request); empty when every figure was known.' })
  caveats!: string[];
}

/** This subgraph's view of a Workload: the shared key; the resolver adds its field. */
export { WorkloadReference as Workload } from '@prescient/platform';
