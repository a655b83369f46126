import { readFileSync } from 'node:fs';
import { ConfigError } from '@prescient/platform';
import { isValidTenant } from '@prescient/contracts';
import { CompiledRelabel, compileRelabelConfigs, RelabelConfigError, RelabelConfigInput } from '../domain/relabel';
import { DEFAULT_TENANT_LIMITS, TenantLimits, validateTenantLimits } from '../domain/limits';

/**
 * Per-tenant ingestion policy, from `INGESTION_TENANTS_FILE` (JSON):
 * `{ "defaults": { "limits": {…} }, "tenants": { "<tenant>": { "relabel": [<relabel_config>…], "limits": {…} } } }`
 * — relabel rules with Prometheus `relabel_config` keys, limits as in domain/limits. Invalid input is
 * a ConfigError naming the tenant, the rule index and the field.
 */
export interface TenantPolicy {
  relabel?: CompiledRelabel;
  /** The rules as written (validated): decode threads compile their own copy from them. */
  relabelConfigs?: RelabelConfigInput[];
  limits: TenantLimits;
}

export interface TenantPolicies {
  defaults: TenantLimits;
  tenants: Map<string, TenantPolicy>;
}

export function loadTenantPolicies(path: string | undefined): TenantPolicies {
  if (!path) return { defaults: DEFAULT_TENANT_LIMITS, tenants: new Map() };
  const key = 'INGESTION_TENANTS_FILE';
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError([{ key, message: `cannot read ${path} as JSON: ${(error as Error).message}` }]);
  }
  const fail = (message: string): never => {
    throw new ConfigError([{ key, message: `${path}: ${message}` }]);
  };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail('must be a JSON object with "tenants"');
  const doc = raw as { defaults?: { limits?: unknown }; tenants?: unknown };
  let defaults = DEFAULT_TENANT_LIMITS;
  try {
    if (doc.defaults?.limits !== undefined) defaults = validateTenantLimits(doc.defaults.limits);
  } catch (error) {
    fail(`defaults.limits: ${(error as Error).message}`);
  }
  const tenants = new Map<string, TenantPolicy>();
  const entries = doc.tenants ?? {};
  if (typeof entries !== 'object' || Array.isArray(entries)) fail('"tenants" must be an object keyed by tenant');
  for (const [tenant, value] of Object.entries(entries as Record<string, { relabel?: unknown; limits?: unknown }>)) {
    if (!isValidTenant(tenant)) fail(`tenants.${tenant}: not a valid tenant id`);
    try {
      const relabel = value.relabel === undefined ? undefined : compileRelabelConfigs(value.relabel as RelabelConfigInput[]);
      const limits = value.limits === undefined ? defaults : validateTenantLimits(value.limits, defaults, tenant);
      tenants.set(tenant, { relabel, relabelConfigs: relabel && (value.relabel as RelabelConfigInput[]), limits });
    } catch (error) {
      const what = error instanceof RelabelConfigError ? 'relabel' : 'limits';
      fail(`tenants.${tenant}.${what}: ${(error as Error).message}`);
    }
  }
  return { defaults, tenants };
}
