/**
 * Every Kafka topic, its partitions and its payload's schema, in one place. A message's schema
 * version is in the topic name: a breaking change is a new topic (STYLE.md).
 */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Fully qualified protobuf message carried on the topic. */
  schema: string;
  retentionMs: number;
}

const DAY_MS = 24 * 3600 * 1000;

export const TOPICS = {
  metricsSamples: { name: 'metrics.samples.v2', partitions: 6, schema: 'prescient.metrics.v1.SampleBatches', retentionMs: 3 * DAY_MS },
  predictions: { name: 'predictions.v1', partitions: 6, schema: 'prescient.prediction.v1.PredictionEvent', retentionMs: 7 * DAY_MS },
  recommendations: { name: 'recommendations.v1', partitions: 6, schema: 'prescient.recommendation.v1.Recommendation', retentionMs: 7 * DAY_MS },
  autoscalingDecisions: { name: 'autoscaling.decisions.v1', partitions: 6, schema: 'prescient.autoscaling.v1.ScalingDecision', retentionMs: 7 * DAY_MS },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;

/** Messages a consumer could not decode go here, unchanged, with the reason in a header. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

export const DEAD_LETTER_PARTITIONS = 1;

/** Every topic the project creates: the data topics and their dead-letter topics. */
export function allTopicSpecs(): TopicSpec[] {
  const data = Object.values(TOPICS) as TopicSpec[];
  const dlq = data.map((t) => ({ name: deadLetterTopic(t.name), partitions: DEAD_LETTER_PARTITIONS, schema: t.schema, retentionMs: 14 * DAY_MS }));
  return [...data, ...dlq];
}

/** Kafka header keys. W3C trace context travels under its own names (traceparent, tracestate). */
export const HEADERS = {
  tenant: 'prescient-tenant',
  schema: 'prescient-schema',
  producer: 'prescient-producer',
  deadLetterReason: 'prescient-dead-letter-reason',
  deadLetterSourceTopic: 'prescient-dead-letter-topic',
  deadLetterSourcePartition: 'prescient-dead-letter-partition',
  deadLetterSourceOffset: 'prescient-dead-letter-offset',
  deadLetterConsumerGroup: 'prescient-dead-letter-group',
} as const;

/** HTTP/gRPC metadata key that carries the tenant between the gateway and the subgraphs. */
export const TENANT_HEADER = 'x-prescient-tenant';
