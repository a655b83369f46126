import type { Label } from '../remote-write/decoded-write-request';
import { ActiveSeries, type MetricCardinality } from './active-series';
import { seriesKey, type SeriesKey } from './series-hash';
import { DEFAULT_TENANT_LIMITS, validateTenantLimits, type TenantLimits } from './tenant-limits';
import { TokenBucket } from './token-bucket';

export type LimitName = 'max_active_series' | 'max_samples_per_second';

/** One series of a write request, as it will be stored (after relabelling). */
export type AdmissionSeries = LabelledAdmissionSeries | KeyedAdmissionSeries;

export interface LabelledAdmissionSeries {
  /** Sorted by name, as CompiledRelabel.apply returns them (other orders are sorted, at a cost). */
  readonly labels: readonly Label[];
  /** Samples the request carries for this series. */
  readonly samples: number;
}

/** A series already fingerprinted (by a decode thread): its `seriesKey` and metric name. */
export interface KeyedAdmissionSeries {
  readonly key: SeriesKey;
  readonly metricName: string;
  readonly samples: number;
}

export type LimitResult =
  | {
      readonly ok: true;
      /**
       * Indexes of the series refused by max_active_series under `newSeriesOverLimit: 'drop-series'`
       * (their samples must not be stored); always empty under 'refuse-request'.
       */
      readonly droppedSeries: readonly number[];
      readonly droppedSamples: number;
    }
  | {
      readonly ok: false;
      readonly limit: LimitName;
      readonly message: string;
      /** When a retry may pass (Retry-After); for a request that can never pass, a whole window or bucket. */
      readonly retryAfterSeconds: number;
    };

export interface TenantLimiterOptions {
  /** Limits of tenants without their own (validated). Default DEFAULT_TENANT_LIMITS. */
  readonly defaults?: TenantLimits;
  /**
   * What to do with a request that brings more new series than max_active_series leaves room for:
   *   'refuse-request' (default) – refuse it whole (429): nothing of it is stored, so Prometheus' retry
   *                                cannot duplicate anything; requests of active series still pass;
   *   'drop-series'              – admit it, minus the new series that do not fit (reported in
   *                                droppedSeries), as Mimir does with a 4xx for max_global_series_per_user.
   */
  readonly newSeriesOverLimit?: 'refuse-request' | 'drop-series';
}

/** Per-tenant totals of what the limits refused (the service exports them as metrics). */
export interface TenantRefusals {
  readonly requests: Readonly<Record<LimitName, number>>;
  readonly samples: Readonly<Record<LimitName, number>>;
  /** Series dropped under 'drop-series' (their requests were admitted). */
  readonly droppedSeries: number;
}

export interface CardinalityReport {
  readonly tenant: string;
  readonly activeSeries: number;
  readonly maxActiveSeries: number;
  /** Active series per metric name, most first. */
  readonly byMetricName: readonly MetricCardinality[];
}

interface TenantState {
  limits: TenantLimits;
  readonly bucket: TokenBucket;
  readonly series: ActiveSeries;
  readonly refusals: { requests: Record<LimitName, number>; samples: Record<LimitName, number>; droppedSeries: number };
}

const METRIC_NAME = '__name__';
const MINUTE_MS = 60_000;

/**
 * Admission control for remote-write requests, per tenant: a limit on active series (a series is active
 * while it received a sample in the last `activeWindowMinutes`) and a token-bucket limit on samples per
 * second. A request is admitted whole or refused whole; a refusal records nothing (no tokens taken, no
 * series registered), so a retried request is judged afresh. Series that are already active are never
 * refused by the series limit, even when a lowered limit leaves more of them active than it allows.
 * Time is whatever `nowMs` the caller passes (no clock inside); it never moves backwards per tenant.
 */
export class TenantLimiter {
  private readonly tenants = new Map<string, TenantState>();
  private readonly overrides = new Map<string, TenantLimits>();
  private readonly defaults: TenantLimits;
  private readonly dropNewSeries: boolean;

  constructor(options: TenantLimiterOptions = {}) {
    this.defaults = validateTenantLimits(options.defaults ?? DEFAULT_TENANT_LIMITS);
    this.dropNewSeries = options.newSeriesOverLimit === 'drop-series';
  }

  /** Sets (validating it; missing fields from the defaults) or, with undefined, clears a tenant's own limits. */
  setTenantLimits(tenant: string, limits: Partial<TenantLimits> | undefined): TenantLimits {
    const resolved = limits === undefined ? this.defaults : validateTenantLimits(limits, this.defaults, tenant);
    if (limits === undefined) this.overrides.delete(tenant);
    else this.overrides.set(tenant, resolved);
    const state = this.tenants.get(tenant);
    if (state !== undefined) {
      state.limits = resolved;
      state.bucket.configure(resolved.maxSamplesPerSecond, resolved.burstSamples);
      state.series.resize(resolved.activeWindowMinutes);
    }
    return resolved;
  }

  limitsOf(tenant: string): TenantLimits {
    return this.overrides.get(tenant) ?? this.defaults;
  }

  /** Decides on a write request at `nowMs`; when admitted, its samples and series are recorded. */
  admit(tenant: string, series: readonly AdmissionSeries[], nowMs: number): LimitResult {
    if (!Number.isFinite(nowMs)) throw new TypeError(`nowMs must be a finite number of milliseconds, got ${nowMs}`);
    const state = this.state(tenant);
    const { limits } = state;
    const minute = Math.floor(nowMs / MINUTE_MS);
    const active = state.series.activeAt(minute);

    // Which series are new (not active now), each counted once however often the request repeats it.
    const keys: SeriesKey[] = new Array(series.length);
    const newSeries: number[] = [];
    const seenNew = new Set<string>();
    for (let i = 0; i < series.length; i++) {
      const item = series[i];
      const key = 'key' in item ? item.key : seriesKey(item.labels);
      keys[i] = key;
      if (state.series.findActive(key) >= 0) continue;
      const id = `${key.hi}:${key.lo}`;
      if (!seenNew.has(id)) {
        seenNew.add(id);
        newSeries.push(i);
      }
    }
    const room = Math.max(0, limits.maxActiveSeries - active);
    const dropped: number[] = [];
    let droppedSamples = 0;
    if (newSeries.length > room) {
      if (!this.dropNewSeries) return this.refuseSeries(tenant, state, series, active, newSeries.length, nowMs);
      const droppedKeys = new Set(newSeries.slice(room).map((i) => `${keys[i].hi}:${keys[i].lo}`));
      for (let i = 0; i < series.length; i++) {
        if (droppedKeys.has(`${keys[i].hi}:${keys[i].lo}`)) {
          dropped.push(i);
          droppedSamples += series[i].samples;
        }
      }
    }

    let samples = 0;
    for (const item of series) samples += item.samples;
    samples -= droppedSamples;
    if (!state.bucket.take(samples, nowMs)) return this.refuseRate(tenant, state, samples, nowMs);

    const droppedSet = dropped.length === 0 ? null : new Set(dropped);
    for (let i = 0; i < series.length; i++) {
      if (droppedSet?.has(i)) continue;
      const item = series[i];
      state.series.touch(keys[i], 'metricName' in item ? item.metricName : metricNameOf(item.labels));
    }
    if (dropped.length > 0) state.refusals.droppedSeries += new Set(dropped.map((i) => `${keys[i].hi}:${keys[i].lo}`)).size;
    return { ok: true, droppedSeries: dropped, droppedSamples };
  }

  /** Active series of a tenant at `nowMs` (0 for a tenant never seen). */
  activeSeries(tenant: string, nowMs: number): number {
    return this.tenants.get(tenant)?.series.activeAt(Math.floor(nowMs / MINUTE_MS)) ?? 0;
  }

  /** The tenant's active series in total and by metric name, the `topK` largest first. Scans the tenant's table. */
  cardinality(tenant: string, nowMs: number, topK = 10): CardinalityReport {
    const state = this.tenants.get(tenant);
    const maxActiveSeries = this.limitsOf(tenant).maxActiveSeries;
    if (state === undefined) return { tenant, activeSeries: 0, maxActiveSeries, byMetricName: [] };
    const activeSeries = state.series.activeAt(Math.floor(nowMs / MINUTE_MS));
    return { tenant, activeSeries, maxActiveSeries, byMetricName: state.series.topMetrics(Math.max(0, topK)) };
  }

  refusals(tenant: string): TenantRefusals {
    const state = this.tenants.get(tenant);
    if (state === undefined) return { requests: zeroByLimit(), samples: zeroByLimit(), droppedSeries: 0 };
    const { requests, samples, droppedSeries } = state.refusals;
    return { requests: { ...requests }, samples: { ...samples }, droppedSeries };
  }

  /** Bytes held by a tenant's series table (16 per slot), for capacity planning. */
  seriesTableBytes(tenant: string): number {
    return (this.tenants.get(tenant)?.series.slots ?? 0) * 16;
  }

  private refuseSeries(
    tenant: string,
    state: TenantState,
    series: readonly AdmissionSeries[],
    active: number,
    newCount: number,
    nowMs: number,
  ): LimitResult {
    const { maxActiveSeries, activeWindowMinutes } = state.limits;
    const mustIdle = active + newCount - maxActiveSeries;
    const wait = state.series.secondsUntilIdle(mustIdle, nowMs);
    const retryAfterSeconds = Number.isFinite(wait) ? wait : (activeWindowMinutes + 1) * 60;
    const why =
      newCount > maxActiveSeries
        ? `the request alone brings ${newCount} new series, more than the limit: it can never be accepted`
        : `retry in ${retryAfterSeconds} s at the earliest, ` +
          `when enough series have been idle for ${activeWindowMinutes} minutes`;
    const samples = series.reduce((sum, item) => sum + item.samples, 0);
    this.count(state, 'max_active_series', samples);
    return {
      ok: false,
      limit: 'max_active_series',
      message:
        `tenant ${JSON.stringify(tenant)}: max_active_series is ${maxActiveSeries} and ${active} series are active; ` +
        `the request's ${newCount} new series would exceed it (a series is active for ${activeWindowMinutes} minutes ` +
        `after its last sample); ${why}`,
      retryAfterSeconds,
    };
  }

  private refuseRate(tenant: string, state: TenantState, samples: number, nowMs: number): LimitResult {
    const { maxSamplesPerSecond, burstSamples } = state.limits;
    const available = Math.floor(state.bucket.available(nowMs));
    const wait = state.bucket.secondsUntil(samples, nowMs);
    this.count(state, 'max_samples_per_second', samples);
    const limit = `max_samples_per_second is ${maxSamplesPerSecond} with a burst of ${burstSamples}`;
    if (!Number.isFinite(wait)) {
      return {
        ok: false,
        limit: 'max_samples_per_second',
        message:
          `tenant ${JSON.stringify(tenant)}: the request's ${samples} samples exceed the burst: ${limit}, so it can never ` +
          `be accepted; send smaller requests (Prometheus queue_config.max_samples_per_send)`,
        retryAfterSeconds: Math.max(1, Math.ceil(burstSamples / maxSamplesPerSecond)),
      };
    }
    return {
      ok: false,
      limit: 'max_samples_per_second',
      message:
        `tenant ${JSON.stringify(tenant)}: the request's ${samples} samples exceed the ${available} available now: ` +
        `${limit}; retry in ${wait} s`,
      retryAfterSeconds: wait,
    };
  }

  private count(state: TenantState, limit: LimitName, samples: number): void {
    state.refusals.requests[limit]++;
    state.refusals.samples[limit] += samples;
  }

  private state(tenant: string): TenantState {
    let state = this.tenants.get(tenant);
    if (state === undefined) {
      const limits = this.limitsOf(tenant);
      state = {
        limits,
        bucket: new TokenBucket(limits.maxSamplesPerSecond, limits.burstSamples),
        series: new ActiveSeries(limits.activeWindowMinutes),
        refusals: { requests: zeroByLimit(), samples: zeroByLimit(), droppedSeries: 0 },
      };
      this.tenants.set(tenant, state);
    }
    return state;
  }
}

function zeroByLimit(): Record<LimitName, number> {
  return { max_active_series: 0, max_samples_per_second: 0 };
}

function metricNameOf(labels: readonly Label[]): string {
  for (let i = 0; i < labels.length; i++) if (labels[i].name === METRIC_NAME) return labels[i].value;
  return '';
}
