import { z } from 'zod';
import { EntityKind, EntityRef, isValidTenant } from '@prescient/contracts';
import { DEFAULT_EXPOSITION_LIMITS, ExpositionLimits, isLabelName, isMetricName, isCanonicalMetric, SCRAPE_PRESETS, ScrapeRule } from '../domain/exposition';
import { normaliseWorkloadKind } from '../domain/backfill/map-matrix';
import { TlsMaterial } from './http-client';
import { checkConfigFile, credentialsShape, exclusiveCredentials, httpUrl, loadTls, readJsonConfigFile, tlsSchema, tokenSource, TokenSource, validateConfigFile } from './config-file';

const ENV_KEY = 'INGESTION_SCRAPE_CONFIG_FILE';

/**
 * Environment keys of scraping, to spread into the service's config schema. The file is loaded
 * and checked as part of config validation, so a bad target stops the start before anything
 * connects, naming the key inside the file.
 */
export const scrapeConfigShape = {
  /** A JSON file listing the targets to scrape; unset turns scraping off. */
  INGESTION_SCRAPE_CONFIG_FILE: z
    .string()
    .min(1)
    .optional()
    .superRefine((path, ctx) => {
      if (path) checkConfigFile(ctx, ENV_KEY, () => loadScrapeTargets(path));
    }),
};

export type ScrapeEnvConfig = { INGESTION_SCRAPE_CONFIG_FILE?: string };

const tenant = z.string().refine(isValidTenant, 'must be a tenant id (DNS label)');
const k8sName = z.string().min(1).max(253);

const entitySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('workload'), tenant, cluster: k8sName, namespace: k8sName, workloadKind: z.string().min(1).max(63), name: k8sName }).strict(),
  z.object({ kind: z.literal('node'), tenant, cluster: k8sName, name: k8sName }).strict(),
]);

const selectorSchema = z
  .object({
    name: z.string().refine(isMetricName, 'must be a metric name'),
    labels: z.record(z.string().refine(isLabelName, 'must be a label name'), z.string()).optional(),
  })
  .strict();
const canonicalMetric = z.string().refine(isCanonicalMetric, (v) => ({ message: `'${v}' is not a canonical metric` }));
const transform = { scale: z.number().finite().optional(), offset: z.number().finite().optional() };
const aggregation = z.enum(['sum', 'avg', 'min', 'max']);

export const scrapeRuleSchema = z.discriminatedUnion('kind', [
  z.object({ metric: canonicalMetric, kind: z.literal('gauge'), series: selectorSchema, aggregate: aggregation.optional(), ...transform }).strict(),
  z.object({ metric: canonicalMetric, kind: z.literal('counter_rate'), series: selectorSchema, aggregate: aggregation.optional(), ...transform }).strict(),
  z.object({ metric: canonicalMetric, kind: z.literal('histogram_quantile'), histogram: selectorSchema, quantile: z.number().min(0).max(1), ...transform }).strict(),
  z.object({ metric: canonicalMetric, kind: z.literal('ratio'), numerator: selectorSchema, denominator: selectorSchema, ...transform }).strict(),
]);

const targetSchema = z
  .object({
    /** Names the target in metrics (`target` label) and logs. */
    name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, 'must be 1–63 letters, digits, _ . - (starting with a letter or digit)'),
    url: httpUrl,
    intervalSeconds: z.number().min(1).max(3600).default(60),
    timeoutSeconds: z.number().min(0.1).max(600).default(10),
    ...credentialsShape,
    tls: tlsSchema.optional(),
    entity: entitySchema,
    /** Built-in rules: `serving-endpoint` (seed 004) or `node-exporter`. */
    preset: z.enum(Object.keys(SCRAPE_PRESETS) as [keyof typeof SCRAPE_PRESETS, ...(keyof typeof SCRAPE_PRESETS)[]]).optional(),
    /** Rules of its own; with a preset, they replace the preset's rule for the same metric. */
    rules: z.array(scrapeRuleSchema).max(100).optional(),
    maxBodyBytes: z.number().int().min(1024).max(512 * 1024 * 1024).default(32 * 1024 * 1024),
    maxSeries: z.number().int().min(1).max(1_000_000).default(DEFAULT_EXPOSITION_LIMITS.maxSeries),
    maxLineLength: z.number().int().min(256).max(16 * 1024 * 1024).default(DEFAULT_EXPOSITION_LIMITS.maxLineLength),
  })
  .strict()
  // Prometheus refuses the same: "scrape timeout greater than scrape interval".
  .refine((t) => t.timeoutSeconds <= t.intervalSeconds, { message: 'must not exceed intervalSeconds (scrapes of one target never overlap)', path: ['timeoutSeconds'] })
  .refine(exclusiveCredentials, { message: 'set bearerTokenFile or bearerTokenEnv, not both', path: ['bearerTokenEnv'] })
  .refine((t) => t.preset !== undefined || (t.rules?.length ?? 0) > 0, { message: 'a target needs a preset or rules', path: ['rules'] });

export const scrapeFileSchema = z
  .object({ targets: z.array(targetSchema).max(1000) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.targets.forEach((t, i) => {
      if (seen.has(t.name)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `target name '${t.name}' is used twice`, path: ['targets', i, 'name'] });
      seen.add(t.name);
    });
  });

export interface ScrapeTarget {
  name: string;
  url: URL;
  intervalMs: number;
  timeoutMs: number;
  token: TokenSource;
  tls?: TlsMaterial;
  entity: EntityRef;
  rules: ScrapeRule[];
  maxBodyBytes: number;
  limits: ExpositionLimits;
}

function entityRef(e: z.infer<typeof entitySchema>): EntityRef {
  return e.kind === 'workload'
    ? { tenant: e.tenant, kind: EntityKind.ENTITY_KIND_WORKLOAD, cluster: e.cluster, namespace: e.namespace, workloadKind: normaliseWorkloadKind(e.workloadKind), name: e.name }
    : { tenant: e.tenant, kind: EntityKind.ENTITY_KIND_NODE, cluster: e.cluster, namespace: '', workloadKind: '', name: e.name };
}

/** Reads, validates and resolves the scrape config file; throws ConfigError naming the bad key and target. */
export function loadScrapeTargets(path: string, env: NodeJS.ProcessEnv = process.env): ScrapeTarget[] {
  const raw = readJsonConfigFile(ENV_KEY, path);
  const file = validateConfigFile(ENV_KEY, scrapeFileSchema, raw);
  return file.targets.map((t, i) => {
    const key = `${ENV_KEY} targets[${i}] ('${t.name}')`;
    const own = (t.rules ?? []) as ScrapeRule[];
    const preset = t.preset ? SCRAPE_PRESETS[t.preset].filter((r) => !own.some((o) => o.metric === r.metric)) : [];
    return {
      name: t.name,
      url: new URL(t.url),
      intervalMs: Math.round(t.intervalSeconds * 1000),
      timeoutMs: Math.round(t.timeoutSeconds * 1000),
      token: tokenSource(key, t, env),
      tls: loadTls(key, t.tls),
      entity: entityRef(t.entity),
      rules: [...preset, ...own],
      maxBodyBytes: t.maxBodyBytes,
      limits: { maxSeries: t.maxSeries, maxLineLength: t.maxLineLength, maxLabelsPerSeries: DEFAULT_EXPOSITION_LIMITS.maxLabelsPerSeries },
    };
  });
}
