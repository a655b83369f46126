import { z } from 'zod';
import { baseConfigShape, port } from '@prescient/platform';

export const ingestionConfigSchema = z.object({
  ...baseConfigShape,
  HTTP_PORT: port(9201),
  /** Cluster name for series that carry no `cluster` label. */
  CLUSTER_NAME: z.string().min(1).max(63).default('default'),
  REMOTE_WRITE_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(256 * 1024 * 1024).default(10 * 1024 * 1024),
  REMOTE_WRITE_MAX_DECOMPRESSED_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
  REMOTE_WRITE_MAX_SERIES_PER_REQUEST: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
});

export type IngestionConfig = z.infer<typeof ingestionConfigSchema>;
