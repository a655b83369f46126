import { z } from 'zod';
import { isValidTenant } from '@prescient/contracts';
import { isCanonicalMetric, isLabelName } from '../domain/exposition';
import { DEFAULT_ENTITY_MAPPINGS, EntityMapping } from '../domain/backfill/map-matrix';
import { SELECTOR_PLACEHOLDER } from '../domain/backfill/query-template';
import { RetryPolicy, DEFAULT_RETRY_POLICY } from '../domain/backfill/retry';
import { checkConfigFile, credentialsShape, exclusiveCredentials, httpUrl, loadTls, readJsonConfigFile, tlsSchema, tokenSource, TokenSource, validateConfigFile } from '../scrape/config-file';
import { TlsMaterial } from '../scrape/http-client';

const ENV_KEY = 'INGESTION_BACKFILL_CONFIG_FILE';

/**
 * Environment keys of the backfill, to spread into the service's config schema. The file is loaded
 * and checked as part of config validation (a bad source stops the start, naming the key).
 */
export const backfillConfigShape = {
  /** A JSON file listing the query_range sources to backfill from; unset turns backfill off. */
  INGESTION_BACKFILL_CONFIG_FILE: z
    .string()
    .min(1)
    .optional()
    .superRefine((path, ctx) => {
      if (path) checkConfigFile(ctx, ENV_KEY, () => loadBackfillSources(path));
    }),
};

export type BackfillEnvConfig = { INGESTION_BACKFILL_CONFIG_FILE?: string };

const labelName = z.string().refine(isLabelName, 'must be a label name');

const querySchema = z
  .object({
    /** Names the query in the progress table and metrics. */
    name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, 'must be 1–63 letters, digits, _ . -'),
    /** PromQL; `$selector` marks where one workload's matchers go (required for per-workload backfill). */
    query: z.string().min(1).max(10_000),
    metric: z.string().refine(isCanonicalMetric, (v) => ({ message: `'${v}' is not a canonical metric` })),
    entity: z.enum(['workload', 'node', 'namespace', 'consumer_group']).default('workload'),
    /** Label names that differ from the kube-prometheus defaults. */
    labels: z
      .object({ namespace: labelName, workload: labelName, workloadKind: labelName, node: labelName, consumerGroup: labelName, cluster: labelName })
      .partial()
      .strict()
      .optional(),
    /** How series of one entity at one timestamp combine when the query does not aggregate per entity. */
    combine: z.enum(['sum', 'avg', 'max']).default('sum'),
  })
  .strict();

const sourceSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, 'must be 1–63 letters, digits, _ . -'),
    /** The Prometheus-compatible API root: `http://prometheus:9090`, VictoriaMetrics' `…/prometheus`, Thanos Query. */
    url: httpUrl,
    tenant: z.string().refine(isValidTenant, 'must be a tenant id (DNS label)'),
    /** The cluster of series that carry no `cluster` label. */
    cluster: z.string().min(1).max(63),
    ...credentialsShape,
    tls: tlsSchema.optional(),
    lookbackDays: z.number().gt(0).max(400).default(30),
    /** The forecaster's resolution. */
    stepSeconds: z.number().int().min(1).max(86_400).default(300),
    /** Points per series per request: Prometheus refuses more than 11,000 (VictoriaMetrics 30,000 by default). */
    maxPointsPerRequest: z.number().int().min(1).max(1_000_000).default(11_000),
    maxConcurrentRequests: z.number().int().min(1).max(64).default(2),
    requestsPerSecond: z.number().gt(0).max(1000).default(5),
    timeoutSeconds: z.number().min(1).max(600).default(60),
    maxAttempts: z.number().int().min(1).max(20).default(DEFAULT_RETRY_POLICY.maxAttempts),
    retryBaseDelayMs: z.number().int().min(1).max(60_000).default(DEFAULT_RETRY_POLICY.baseDelayMs),
    maxSeriesPerQuery: z.number().int().min(1).max(1_000_000).default(20_000),
    maxBodyBytes: z.number().int().min(1024).max(2 * 1024 * 1024 * 1024).default(256 * 1024 * 1024),
    /** Fetch every query's history when the service starts (resuming where an earlier run stopped). */
    onStart: z.boolean().default(true),
    /** Fetch a workload's history when its first samples arrive on metrics.samples.v2. */
    onNewWorkload: z.boolean().default(false),
    queries: z.array(querySchema).min(1).max(200),
  })
  .strict()
  .refine(exclusiveCredentials, { message: 'set bearerTokenFile or bearerTokenEnv, not both', path: ['bearerTokenEnv'] })
  .superRefine((s, ctx) => {
    const names = new Set<string>();
    s.queries.forEach((q, i) => {
      if (names.has(q.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `query name '${q.name}' is used twice`, path: ['queries', i, 'name'] });
      names.add(q.name);
      if (s.onNewWorkload && q.entity === 'workload' && !q.query.includes(SELECTOR_PLACEHOLDER)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must contain ${SELECTOR_PLACEHOLDER} where one workload's matchers go (onNewWorkload is on)`, path: ['queries', i, 'query'] });
      }
    });
  });

export const backfillFileSchema = z
  .object({ sources: z.array(sourceSchema).max(100) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.sources.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `source name '${s.name}' is used twice`, path: ['sources', i, 'name'] });
      seen.add(s.name);
    });
  });

export interface BackfillQuery {
  name: string;
  query: string;
  metric: string;
  mapping: EntityMapping;
  combine: 'sum' | 'avg' | 'max';
}

export interface BackfillSource {
  name: string;
  /** The API root, without a trailing slash. */
  baseUrl: string;
  tenant: string;
  cluster: string;
  token: TokenSource;
  tls?: TlsMaterial;
  lookbackMs: number;
  stepMs: number;
  maxPointsPerRequest: number;
  maxConcurrentRequests: number;
  requestsPerSecond: number;
  timeoutMs: number;
  retry: RetryPolicy;
  maxSeriesPerQuery: number;
  maxBodyBytes: number;
  onStart: boolean;
  onNewWorkload: boolean;
  queries: BackfillQuery[];
}

function mappingOf(q: z.infer<typeof querySchema>): EntityMapping {
  const l = q.labels ?? {};
  const d = DEFAULT_ENTITY_MAPPINGS;
  switch (q.entity) {
    case 'workload':
      return { kind: 'workload', namespaceLabel: l.namespace ?? d.workload.namespaceLabel, workloadLabel: l.workload ?? d.workload.workloadLabel, workloadKindLabel: l.workloadKind ?? d.workload.workloadKindLabel, clusterLabel: l.cluster ?? 'cluster' };
    case 'node':
      return { kind: 'node', nodeLabel: l.node ?? d.node.nodeLabel, clusterLabel: l.cluster ?? 'cluster' };
    case 'namespace':
      return { kind: 'namespace', namespaceLabel: l.namespace ?? d.namespace.namespaceLabel, clusterLabel: l.cluster ?? 'cluster' };
    case 'consumer_group':
      return { kind: 'consumer_group', groupLabel: l.consumerGroup ?? d.consumer_group.groupLabel, clusterLabel: l.cluster ?? 'cluster' };
  }
}

/** Reads, validates and resolves the backfill config file; throws ConfigError naming the bad key and source. */
export function loadBackfillSources(path: string, env: NodeJS.ProcessEnv = process.env): BackfillSource[] {
  const raw = readJsonConfigFile(ENV_KEY, path);
  const file = validateConfigFile(ENV_KEY, backfillFileSchema, raw);
  return file.sources.map((s, i) => {
    const key = `${ENV_KEY} sources[${i}] ('${s.name}')`;
    return {
      name: s.name,
      baseUrl: s.url.replace(/\/+$/, ''),
      tenant: s.tenant,
      cluster: s.cluster,
      token: tokenSource(key, s, env),
      tls: loadTls(key, s.tls),
      lookbackMs: Math.round(s.lookbackDays * 86_400_000),
      stepMs: s.stepSeconds * 1000,
      maxPointsPerRequest: s.maxPointsPerRequest,
      maxConcurrentRequests: s.maxConcurrentRequests,
      requestsPerSecond: s.requestsPerSecond,
      timeoutMs: Math.round(s.timeoutSeconds * 1000),
      retry: { ...DEFAULT_RETRY_POLICY, maxAttempts: s.maxAttempts, baseDelayMs: s.retryBaseDelayMs },
      maxSeriesPerQuery: s.maxSeriesPerQuery,
      maxBodyBytes: s.maxBodyBytes,
      onStart: s.onStart,
      onNewWorkload: s.onNewWorkload,
      queries: s.queries.map((q) => ({ name: q.name, query: q.query, metric: q.metric, mapping: mappingOf(q), combine: q.combine })),
    };
  });
}
