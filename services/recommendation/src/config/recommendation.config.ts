import { z } from 'zod';
import { baseConfigShape, port } from '@prescient/platform';

export const recommendationConfigSchema = z.object({
  ...baseConfigShape,
  HTTP_PORT: port(9203),
  GRPC_PORT: port(9213),
  /** The prediction service's gRPC address (host:port). */
  PREDICTION_GRPC_ADDR: z.string({ required_error: 'is required (host:port of the prediction service gRPC)' }).regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port'),
  RECOMMENDATION_SCALING: z.enum(['vertical', 'horizontal']).default('vertical'),
  PREDICTION_RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(5000),
});

export type RecommendationConfig = z.infer<typeof recommendationConfigSchema>;
