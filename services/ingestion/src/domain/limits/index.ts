export type { MetricCardinality } from './active-series';
export { seriesKey } from './series-hash';
export type { SeriesKey } from './series-hash';
export { TenantLimiter } from './tenant-limiter';
export type {
  AdmissionSeries,
  KeyedAdmissionSeries,
  LabelledAdmissionSeries,
  CardinalityReport,
  LimitName,
  LimitResult,
  TenantLimiterOptions,
  TenantRefusals,
} from './tenant-limiter';
export {
  DEFAULT_TENANT_LIMITS,
  TENANT_LIMIT_BOUNDS,
  TenantLimitsError,
  validateTenantLimits,
} from './tenant-limits';
export type { TenantLimits, TenantLimitsIssue } from './tenant-limits';
export { TokenBucket } from './token-bucket';
