export * from './topics';
export * from './entities';
export { EntityKind, EntityRef } from './generated/prescient/common/v1/entity';
export { Sample, MetricSeries, SampleBatch, SampleBatches } from './generated/prescient/metrics/v1/samples';
export {
  Horizon,
  Confidence,
  QuantileValue,
  ForecastPoint,
  Forecast,
  ForecastRequest,
  PredictionEvent,
  PredictionServiceService,
  PredictionServiceClient,
  PredictionServiceServer,
} from './generated/prescient/prediction/v1/prediction';
export {
  ResourceAdvice,
  Recommendation,
  GetRecommendationRequest,
  RecommendationServiceService,
  RecommendationServiceClient,
  RecommendationServiceServer,
} from './generated/prescient/recommendation/v1/recommendation';
export {
  Cloud,
  CloudCost,
  WorkloadCost,
  GetWorkloadCostRequest,
  CostServiceService,
  CostServiceClient,
  CostServiceServer,
} from './generated/prescient/cost/v1/cost';
export { ScalingDecision } from './generated/prescient/autoscaling/v1/decision';
export * from './partitioner';
export * from './sample-batch-writer';
export * from './sample-envelopes';
