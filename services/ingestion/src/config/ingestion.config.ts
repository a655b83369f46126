import { z } from 'zod';
import { baseConfigShape, port, usableCores } from '@prescient/platform';
import { backfillConfigShape } from '../backfill/backfill.config';
import { scrapeConfigShape } from '../scrape/scrape.config';

export const INGESTION_ROLES = ['receiver', 'rollups', 'collectors'] as const;
export type IngestionRole = (typeof INGESTION_ROLES)[number];

export const ingestionConfigSchema = z.object({
  ...baseConfigShape,
  ...scrapeConfigShape,
  ...backfillConfigShape,
  HTTP_PORT: port(9201),
  /** Cluster name for series that carry no `cluster` label. */
  CLUSTER_NAME: z.string().min(1).max(63).default('default'),
  REMOTE_WRITE_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(256 * 1024 * 1024).default(10 * 1024 * 1024),
  REMOTE_WRITE_MAX_DECOMPRESSED_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(64 * 1024 * 1024),
  REMOTE_WRITE_MAX_SERIES_PER_REQUEST: z.coerce.number().int().min(1).max(1_000_000).default(50_000),
  /**
   * Worker threads that decode, relabel, map and encode remote_write bodies (0: on the event loop).
   * Default: the usable cores (the container's CPU limit, where set), at most 8. Not one fewer:
   * the event loop mostly waits on Kafka, and on 2 cores 2 threads took 1.4× the samples of 1
   * (services/ingestion/bench/README.md).
   */
  REMOTE_WRITE_DECODE_THREADS: z.coerce.number().int().min(0).max(64).default(() => Math.min(8, usableCores())),
  /** Kafka cluster whose consumer groups are observed; unset turns the lag collector off. */
  KAFKA_LAG_BROKERS: z.string().regex(/^[^\s:,]+:\d{1,5}(,[^\s:,]+:\d{1,5})*$/, 'must be a comma-separated host:port list').optional(),
  /** The tenant and cluster name the observed groups belong to. */
  KAFKA_LAG_TENANT: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a tenant id (DNS label)').optional(),
  KAFKA_LAG_CLUSTER: z.string().min(1).max(63).optional(),
  /** Groups to observe (a JavaScript regex, fully anchored). */
  KAFKA_LAG_GROUPS: z.string().default('.*').refine((v) => { try { new RegExp(v); return true; } catch { return false; } }, 'must be a valid regular expression'),
  /** Per-tenant relabel rules and limits (JSON; see src/tenants/tenant-policies.ts). */
  INGESTION_TENANTS_FILE: z.string().min(1).optional(),
  /** Days of 5-minute rollups kept (whole day partitions are dropped past it). */
  ROLLUP_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(35),
  /** How long rollups are folded in memory before one bulk write (offsets are committed after it). */
  ROLLUP_FLUSH_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  KAFKA_LAG_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  /**
   * What this instance does (comma-separated): `receiver` (remote_write), `rollups` (the
   * ingestion-rollups consumer group: rollups and the register of entities), `collectors` (scrape,
   * backfill, Kafka lag). Default all three; a large fleet runs receivers and rollups apart, so the
   * acknowledgement path never shares a core with PostgreSQL writes.
   */
  INGESTION_ROLES: z.string().default('receiver,rollups,collectors').transform((v, ctx) => {
    const roles = v.split(',').map((r) => r.trim()).filter((r) => r !== '');
    const unknown = roles.filter((r) => !(INGESTION_ROLES as readonly string[]).includes(r));
    if (unknown.length > 0 || roles.length === 0) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must list roles among ${INGESTION_ROLES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}` });
      return z.NEVER;
    }
    return new Set(roles as IngestionRole[]);
  }),
}).refine((c) => !c.KAFKA_LAG_BROKERS || c.KAFKA_LAG_TENANT, { message: 'is required when KAFKA_LAG_BROKERS is set', path: ['KAFKA_LAG_TENANT'] });

export type IngestionConfig = z.infer<typeof ingestionConfigSchema>;
