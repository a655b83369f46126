import { z } from 'zod';
import { baseConfigShape, port } from '@prescient/platform';

export const predictionConfigSchema = z.object({
  ...baseConfigShape,
  HTTP_PORT: port(9202),
  GRPC_PORT: port(9212),
  /** A series is refitted this long after its newest batch (batches arriving together refit once). */
  PREDICTION_REFIT_DEBOUNCE_MS: z.coerce.number().int().min(0).max(3_600_000).default(2000),
  /** Series held in memory; beyond it the least recently updated is dropped (and counted). */
  PREDICTION_MAX_SERIES: z.coerce.number().int().min(1).max(1_000_000).default(20_000),
  /** A series is refitted at least this often while samples arrive, and earlier when its error drifts. */
  PREDICTION_REFIT_INTERVAL_MS: z.coerce.number().int().min(1000).max(7 * 86_400_000).default(3_600_000),
  /** How often changed histories are saved to PostgreSQL (and always on shutdown). */
  PREDICTION_SNAPSHOT_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(600_000),
});

export type PredictionConfig = z.infer<typeof predictionConfigSchema>;
