import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { z } from 'zod';

/** A configuration problem, naming every bad key. */
export class ConfigError extends Error {
  constructor(readonly problems: { key: string; message: string }[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`);
  }
}

const brokerList = z
  .string({ required_error: 'is required (comma-separated host:port list)' })
  .min(1, 'is required (comma-separated host:port list)')
  .refine((v) => v.split(',').every((b) => /^[^\s:]+:\d{1,5}$/.test(b.trim())), 'must be a comma-separated host:port list');

const postgresUrl = z
  .string({ required_error: 'is required (postgres://user@host:port/db)' })
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// URL');

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** Keys every service reads. */
export const baseConfigShape = {
  KAFKA_BROKERS: brokerList,
  DATABASE_URL: postgresUrl,
  HTTP_PORT: port(0),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(7).default(1),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600000).default(25000),
  /** Serve HTTPS with this PEM certificate and key (both or neither); the admission webhook needs it in a cluster. */
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
};

export const baseConfigSchema = z.object(baseConfigShape);
export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** Validates `env` against `schema`; throws ConfigError naming each bad key. */
export function loadConfig<S extends z.ZodTypeAny>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(parsed.error.issues.map((issue) => ({ key: issue.path.join('.') || '(root)', message: issue.message })));
}

/**
 * Cores this process may use: the CPUs it may run on, capped by a cgroup v2 CPU quota
 * (`/sys/fs/cgroup/cpu.max`, a container's CPU limit) rounded up. Node 20's availableParallelism()
 * sees the node's CPUs, not the pod's limit.
 */
export function usableCores(cpuMax = readCgroupCpuMax()): number {
  const cpus = availableParallelism();
  const quota = cgroupCpuQuota(cpuMax);
  return quota === undefined ? cpus : Math.max(1, Math.min(cpus, Math.ceil(quota)));
}

/** Cores granted by a cgroup v2 `cpu.max` line ("<quota> <period>" or "max <period>"); undefined when unlimited or unreadable. */
export function cgroupCpuQuota(cpuMax: string | undefined): number | undefined {
  const match = /^(\d+)\s+(\d+)\s*$/.exec(cpuMax ?? '');
  if (!match) return undefined;
  const [quota, period] = [Number(match[1]), Number(match[2])];
  return period > 0 && quota > 0 ? quota / period : undefined;
}

function readCgroupCpuMax(): string | undefined {
  try {
    return readFileSync('/sys/fs/cgroup/cpu.max', 'utf8');
  } catch {
    return undefined;
  }
}
