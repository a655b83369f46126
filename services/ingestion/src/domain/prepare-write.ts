import { encodeSampleEnvelopes } from '@prescient/contracts';
import { seriesKey } from './limits/series-hash';
import type { KeyedAdmissionSeries } from './limits/tenant-limiter';
import { isSourceMetric } from './mapping/sources';
import { type MappingInputSeries, newestUsableTimestamp, type UnreadSamples } from './mapping/entity-mapper';
import { checkRelabelledLabels, type CompiledRelabel } from './relabel';
import { decodeRemoteWrite, type DecodedSeries, type Label, LabelInterner, type RemoteWriteLimits } from './remote-write';
import { EntityMappingCache, seriesToEntities } from './series-to-entities';

/**
 * Everything a remote_write request needs that is a pure function of its body and the tenant's
 * rules: decode, relabel, fingerprint for the limits, map to entities, encode the Kafka envelopes.
 * It keeps only caches (interned labels, entity identities), so it can run in any thread; what
 * holds state across requests — the tenant limits, the raw-series mapper, the producer — stays with
 * the caller, which gets compact results (typed arrays, envelope bytes) that cross threads cheaply.
 */
export interface WritePreparerOptions {
  readonly limits: RemoteWriteLimits;
  /** Cluster of series without a `cluster` label. */
  readonly defaultCluster: string;
  /** The tenant's relabel rules, if it has any. */
  readonly relabelOf: (tenant: string) => CompiledRelabel | undefined;
}

export interface WriteJob {
  readonly tenant: string;
  readonly body: Uint8Array;
  /** Partitions of metrics.samples.v2 (envelopes are grouped by partition). */
  readonly partitions: number;
  readonly receivedAtMs: number;
  /** SampleBatch.source. */
  readonly source: string;
}

/** Why relabelling removed series: `dropped` by a rule, or left invalid (checkRelabelledLabels). */
export type RelabelOutcome = 'dropped' | 'missing_metric_name' | 'invalid_metric_name' | 'invalid_label_name';

/** The request's series after relabelling, as the tenant limiter reads them, column by column. */
export interface AdmissionColumns {
  /** seriesKey halves, one per series. */
  readonly his: Uint32Array;
  readonly los: Uint32Array;
  readonly samples: Uint32Array;
  /** Index into `metricNames`, one per series. */
  readonly metricIndex: Uint32Array;
  readonly metricNames: string[];
}

export interface EncodedEnvelope {
  readonly partition: number;
  readonly value: Uint8Array;
  readonly batches: number;
}

export type PreparedWrite =
  | { readonly ok: false; readonly status: 400 | 413; readonly reason: string; readonly message: string }
  | {
      readonly ok: true;
      readonly decodedSamples: number;
      /** Series removed by relabelling, by outcome (absent: none). */
      readonly relabelled: Partial<Record<RelabelOutcome, number>>;
      readonly admission: AdmissionColumns;
      /** Samples in `envelopes` (recording-rule series mapped to entities). */
      readonly acceptedSamples: number;
      readonly unmappedSeries: number;
      readonly nonFiniteSamples: number;
      readonly invalidTimestamps: number;
      readonly envelopes: EncodedEnvelope[];
      /** Unmapped series some mapping source reads: the caller's raw-series mapper takes them. */
      readonly raw: MappingInputSeries[];
      /** Unmapped series no source reads, summed per cluster (UnreadSamples). */
      readonly unread: UnreadSamples[];
    };

export class WritePreparer {
  private readonly interner = new LabelInterner();
  private readonly mappings = new EntityMappingCache();
  /** Per tenant: decoded label set → what the tenant's rules make of it. */
  private readonly relabelMemos = new Map<string, WeakMap<readonly Label[], RelabelResult>>();

  constructor(private readonly options: WritePreparerOptions) {}

  prepare(job: WriteJob): PreparedWrite {
    let decoded;
    try {
      decoded = decodeRemoteWrite(job.body, this.options.limits, { interner: this.interner });
    } catch (error) {
      const reason = (error as { reason?: string }).reason;
      if (reason === undefined) throw error;
      return { ok: false, status: reason === 'body_too_large' ? 413 : 400, reason, message: (error as Error).message };
    }
    const relabelled: Partial<Record<RelabelOutcome, number>> = {};
    const series = this.relabel(job.tenant, decoded.series, relabelled);
    const mapped = seriesToEntities(job.tenant, this.options.defaultCluster, series, this.mappings);
    const envelopes = encodeSampleEnvelopes(mapped.batches, { source: job.source, receivedAtMs: job.receivedAtMs, partitions: job.partitions });
    const { raw, unread } = splitUnmapped(mapped.unmapped);
    return {
      ok: true,
      decodedSamples: decoded.sampleCount,
      relabelled,
      admission: admissionColumns(series),
      acceptedSamples: mapped.acceptedSamples,
      unmappedSeries: mapped.unmappedSeries,
      nonFiniteSamples: mapped.droppedSamples,
      invalidTimestamps: mapped.invalidTimestamps,
      envelopes,
      raw,
      unread,
    };
  }

  /**
   * The tenant's relabel rules (Prometheus relabel_config semantics). Rules are a pure function of
   * a label set, and the decoder hands out one frozen array per distinct label set, so each result
   * is remembered against that array: a series is relabelled once, not once per request, and its
   * relabelled array is itself shared, so the fingerprint and entity caches keyed by it hit too.
   */
  private relabel(tenant: string, series: DecodedSeries[], outcomes: Partial<Record<RelabelOutcome, number>>): DecodedSeries[] {
    const rules = this.options.relabelOf(tenant);
    if (!rules) return series;
    let memo = this.relabelMemos.get(tenant);
    if (!memo) this.relabelMemos.set(tenant, (memo = new WeakMap()));
    const kept: DecodedSeries[] = [];
    for (const s of series) {
      let result = memo.get(s.labels);
      if (result === undefined) {
        result = relabelOnce(rules, s);
        if (Object.isFrozen(s.labels)) memo.set(s.labels, result);
      }
      if (typeof result === 'string') {
        outcomes[result] = (outcomes[result] ?? 0) + 1;
        continue;
      }
      kept.push(result.labels === s.labels ? s : { ...s, labels: result.labels, metricName: result.metricName });
    }
    return kept;
  }
}

type RelabelResult = RelabelOutcome | { readonly labels: readonly Label[]; readonly metricName: string };

function relabelOnce(rules: CompiledRelabel, s: DecodedSeries): RelabelResult {
  const labels = rules.apply(s.labels);
  if (labels === null) return 'dropped';
  if (labels === s.labels) return { labels, metricName: s.metricName };
  const check = checkRelabelledLabels(labels);
  if (!check.ok) return check.reason;
  return { labels: Object.isFrozen(labels) ? labels : Object.freeze(labels), metricName: check.metricName };
}

function admissionColumns(series: readonly DecodedSeries[]): AdmissionColumns {
  const n = series.length;
  const columns = { his: new Uint32Array(n), los: new Uint32Array(n), samples: new Uint32Array(n), metricIndex: new Uint32Array(n), metricNames: [] as string[] };
  const nameIds = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const s = series[i];
    const key = seriesKey(s.labels);
    columns.his[i] = key.hi;
    columns.los[i] = key.lo;
    columns.samples[i] = s.samples.length;
    let id = nameIds.get(s.metricName);
    if (id === undefined) {
      id = columns.metricNames.length;
      nameIds.set(s.metricName, id);
      columns.metricNames.push(s.metricName);
    }
    columns.metricIndex[i] = id;
  }
  return columns;
}

/** The limiter's view of admission columns. */
export function admissionSeries(columns: AdmissionColumns): KeyedAdmissionSeries[] {
  const out: KeyedAdmissionSeries[] = new Array(columns.his.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = { key: { hi: columns.his[i], lo: columns.los[i] }, metricName: columns.metricNames[columns.metricIndex[i]], samples: columns.samples[i] };
  }
  return out;
}

/** Series for the raw-series mapper; those no source reads become per-cluster counts (they need not cross threads). */
function splitUnmapped(unmapped: readonly DecodedSeries[]): { raw: MappingInputSeries[]; unread: UnreadSamples[] } {
  const raw: MappingInputSeries[] = [];
  const byCluster = new Map<string | undefined, { cluster: string | undefined; samples: number; maxTimestampMs: number }>();
  for (const s of unmapped) {
    if (isSourceMetric(s.metricName)) {
      raw.push(s);
      continue;
    }
    const cluster = s.labels.find((l) => l.name === 'cluster')?.value;
    let entry = byCluster.get(cluster);
    if (!entry) byCluster.set(cluster, (entry = { cluster, samples: 0, maxTimestampMs: -Infinity }));
    entry.samples += s.samples.length;
    entry.maxTimestampMs = Math.max(entry.maxTimestampMs, newestUsableTimestamp(s.samples));
  }
  return { raw, unread: [...byCluster.values()] };
}
