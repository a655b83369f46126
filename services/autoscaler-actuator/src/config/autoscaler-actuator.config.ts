import { z } from 'zod';
import { baseConfigShape, port } from '@prescient/platform';

const replicas = (fallback: number) => z.coerce.number().int().min(0).max(10_000).default(fallback);
const seconds = (fallback: number) => z.coerce.number().int().min(1).max(7 * 24 * 3600).default(fallback);

export const autoscalerActuatorConfigSchema = z
  .object({
    ...baseConfigShape,
    HTTP_PORT: port(9205),
    /** Bounds of every consumer group's replicas (one setting for all groups until per-group policy lands). */
    AUTOSCALER_MIN_REPLICAS: replicas(1),
    AUTOSCALER_MAX_REPLICAS: replicas(20),
    /** The lag there is now should be drained within this many seconds. */
    AUTOSCALER_TARGET_DRAIN_SECONDS: seconds(300),
    /** How far ahead to size for: about pod start-up plus a consumer-group rebalance. */
    AUTOSCALER_LEAD_TIME_SECONDS: seconds(600),
    /** A scale-down waits this long after the group was last scaled (either way); a scale-up never waits. */
    AUTOSCALER_SCALE_DOWN_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(24 * 3600).default(300),
    /** Messages/s one consumer drains, used until it is measured (consumption rate ÷ replicas while lag waits). */
    AUTOSCALER_DEFAULT_CONSUMER_RATE: z.coerce.number().positive().finite().default(100),
    /** Quantile of the production forecast to size for. */
    AUTOSCALER_QUANTILE: z.coerce.number().gt(0).lt(1).default(0.9),
    /** Lag and replica samples older than this are not used (lag is then taken as 0, replicas from the last decision). */
    AUTOSCALER_OBSERVATION_MAX_AGE_SECONDS: seconds(300),
    /** Consumer groups kept per tenant; samples of further groups are dropped and counted. */
    AUTOSCALER_MAX_GROUPS_PER_TENANT: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  })
  .superRefine((c, ctx) => {
    if (c.AUTOSCALER_MIN_REPLICAS > c.AUTOSCALER_MAX_REPLICAS) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['AUTOSCALER_MIN_REPLICAS'], message: `must be ≤ AUTOSCALER_MAX_REPLICAS (${c.AUTOSCALER_MAX_REPLICAS})` });
    }
  });

export type AutoscalerActuatorConfig = z.infer<typeof autoscalerActuatorConfigSchema>;
