/**
 * The subgraphs the gateway composes: one per service but mesh-webhook. Each one's address comes
 * from `<NAME>_ADDR` at run time (e.g. INGESTION_ADDR=http://ingestion:9201); the composed
 * supergraph carries the in-cluster default.
 */
export const SUBGRAPHS = [
  { name: 'ingestion', defaultUrl: 'http://ingestion:9201/graphql' },
  { name: 'prediction', defaultUrl: 'http://prediction:9202/graphql' },
  { name: 'recommendation', defaultUrl: 'http://recommendation:9203/graphql' },
  { name: 'cost', defaultUrl: 'http://cost:9204/graphql' },
  { name: 'autoscaler-actuator', defaultUrl: 'http://autoscaler-actuator:9205/graphql' },
] as const;

export function addrVariable(name: string): string {
  return `${name.toUpperCase().replace(/-/g, '_')}_ADDR`;
}
