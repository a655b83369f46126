// Per-tenant ingestion limits and their validation.

export interface TenantLimits {
  /** Most series a tenant may have active at once; new series beyond it are refused. */
  readonly maxActiveSeries: number;
  /** Sustained ingestion rate: the token bucket refills at this many samples per second. */
  readonly maxSamplesPerSecond: number;
  /** Bucket size: the most samples accepted at once after a quiet period. A larger request never passes. */
  readonly burstSamples: number;
  /** A series is active for this many minutes after its last sample (Mimir's active-series idle timeout). */
  readonly activeWindowMinutes: number;
}

/** Mimir's defaults: max_global_series_per_user, ingestion_rate, ingestion_burst_size, active-series idle timeout. */
export const DEFAULT_TENANT_LIMITS: TenantLimits = Object.freeze({
  maxActiveSeries: 150_000,
  maxSamplesPerSecond: 10_000,
  burstSamples: 200_000,
  activeWindowMinutes: 20,
});

export const TENANT_LIMIT_BOUNDS = Object.freeze({
  maxActiveSeries: { min: 1, max: 100_000_000, integer: true },
  maxSamplesPerSecond: { min: Number.MIN_VALUE, max: 1e9, integer: false },
  burstSamples: { min: 1, max: 1e12, integer: true },
  activeWindowMinutes: { min: 1, max: 1440, integer: true },
});

export interface TenantLimitsIssue {
  readonly field: keyof TenantLimits | 'limits';
  readonly message: string;
}

export class TenantLimitsError extends Error {
  constructor(
    readonly tenant: string | undefined,
    readonly issues: readonly TenantLimitsIssue[],
  ) {
    const who = tenant === undefined ? '' : ` for tenant ${JSON.stringify(tenant)}`;
    super(`invalid limits${who}: ${issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ')}`);
    this.name = 'TenantLimitsError';
  }
}

/**
 * Validates a tenant's limits, taking every field it leaves out from `defaults`. Throws a
 * TenantLimitsError listing each bad field with the value received and the range accepted.
 */
export function validateTenantLimits(
  input: unknown,
  defaults: TenantLimits = DEFAULT_TENANT_LIMITS,
  tenant?: string,
): TenantLimits {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TenantLimitsError(tenant, [{ field: 'limits', message: `must be an object, got ${describe(input)}` }]);
  }
  const fields = input as Record<string, unknown>;
  const issues: TenantLimitsIssue[] = [];
  for (const key of Object.keys(fields)) {
    if (!(key in TENANT_LIMIT_BOUNDS)) {
      const expected = Object.keys(TENANT_LIMIT_BOUNDS).join(', ');
      issues.push({ field: 'limits', message: `unknown field ${JSON.stringify(key)}; expected ${expected}` });
    }
  }
  const out: Record<string, number> = {};
  type Bounds = (typeof TENANT_LIMIT_BOUNDS)[keyof TenantLimits];
  for (const [field, bounds] of Object.entries(TENANT_LIMIT_BOUNDS) as [keyof TenantLimits, Bounds][]) {
    const value = fields[field] === undefined ? defaults[field] : fields[field];
    const kind = bounds.integer ? 'an integer' : 'a number';
    const range =
      bounds.min === Number.MIN_VALUE ? `greater than 0 and at most ${bounds.max}` : `from ${bounds.min} to ${bounds.max}`;
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      (bounds.integer && !Number.isInteger(value)) ||
      value < bounds.min ||
      value > bounds.max
    ) {
      issues.push({ field, message: `must be ${kind} ${range}, got ${describe(value)}` });
    } else out[field] = value;
  }
  if (issues.length > 0) throw new TenantLimitsError(tenant, issues);
  return Object.freeze(out as unknown as TenantLimits);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : typeof value;
}
