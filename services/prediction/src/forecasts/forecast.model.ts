import { Directive, Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum ForecastHorizon {
  HOURS_24 = 'HOURS_24',
  DAYS_7 = 'DAYS_7',
  DAYS_30 = 'DAYS_30',
}
registerEnumType(ForecastHorizon, { name: 'ForecastHorizon', description: '24 h at 5-minute steps, 7 d at 1-hour steps, 30 d at 1-day steps.' });

export enum ForecastConfidence {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
}
registerEnumType(ForecastConfidence, { name: 'ForecastConfidence', description: 'LOW: less than two seasons of history (a simpler model).' });

@ObjectType()
export class QuantileValue {
  @Field(() => Float)
  quantile!: number;

  @Field(() => Float)
  value!: number;
}

@ObjectType()
export class ForecastPoint {
  @Field({ description: 'Start of the step (RFC 3339).' })
  timestamp!: string;

  @Field(() => Float)
  mean!: number;

  @Field(() => [QuantileValue])
  quantiles!: QuantileValue[];
}

@ObjectType({ description: 'A forecast of one metric of one entity over one horizon.' })
export class Forecast {
  @Field()
  metric!: string;

  @Field(() => ForecastHorizon)
  horizon!: ForecastHorizon;

  @Field({ description: 'The model chosen for this series.' })
  model!: string;

  @Field(() => ForecastConfidence)
  confidence!: ForecastConfidence;

  @Field(() => Float, { nullable: true, description: 'MASE of the model on held-out history; null when there was too little.' })
  backtestMase?: number;

  @Field(() => Float, { description: 'Largest predicted value in the window.' })
  windowMax!: number;

  @Field(() => Float)
  windowMin!: number;

  @Field(() => Float)
  windowAvg!: number;

  @Field()
  start!: string;

  @Field(() => Int)
  stepSeconds!: number;

  @Field({ description: 'When the forecast was computed (RFC 3339).' })
  generatedAt!: string;

  @Field({ description: 'The newest sample it saw (RFC 3339).' })
  lastSampleAt!: string;

  @Field(() => [ForecastPoint])
  points!: ForecastPoint[];

  @Field(() => [QuantileValue], { description: 'Share of backtest actuals at or below each quantile (value in [0, 1]); empty without a backtest, and for aggregates.' })
  measuredCoverage!: QuantileValue[];

  @Field(() => [String], { description: 'What the forecaster did to or noticed in the history: gaps_filled, outliers_clipped, level_shift, constant, cold_start, clamped_at_zero, short_backtest; for aggregates also stale_parts, misaligned_parts, truncated_parts.' })
  flags!: string[];

  @Field(() => Int, { description: 'For a namespace or cluster: how many workload forecasts it sums (bottom-up, quantiles summed: an upper bound of the spread). 0 for one entity.' })
  parts!: number;
}

/** This subgraph's view of a Workload: the shared key; the resolver adds its field. */
export { WorkloadReference as Workload } from '@prescient/platform';

/** The key of each entity this subgraph adds a `forecast` field to (ARCHITECTURE.md's keys). */
@ObjectType('Node')
@Directive('@key(fields: "cluster name")')
export class NodeReference {
  @Field()
  cluster!: string;

  @Field()
  name!: string;
}

@ObjectType('Namespace')
@Directive('@key(fields: "cluster name")')
export class NamespaceReference {
  @Field()
  cluster!: string;

  @Field()
  name!: string;
}

@ObjectType('Cluster')
@Directive('@key(fields: "id")')
export class ClusterReference {
  @Field()
  id!: string;
}

@ObjectType('ConsumerGroup')
@Directive('@key(fields: "cluster groupId")')
export class ConsumerGroupReference {
  @Field()
  cluster!: string;

  @Field()
  groupId!: string;
}
