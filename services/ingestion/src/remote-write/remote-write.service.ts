import { Inject, Injectable } from '@nestjs/common';
import { JsonLogger, KafkaMessaging, publishSamples, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { IngestionConfig } from '../config/ingestion.config';
import { decodeRemoteWrite, DecodedSeries, LabelInterner, RemoteWriteLimits } from '../domain/remote-write';
import { checkRelabelledLabels } from '../domain/relabel';
import { TenantLimiter } from '../domain/limits';
import { loadTenantPolicies, TenantPolicies } from '../tenants/tenant-policies';
import { EntityMappingCache, seriesToEntities } from '../domain/series-to-entities';
import { RawSeriesMapper } from './raw-series-mapper.service';

export type WriteOutcome =
  | { status: 204; samples: number }
  | { status: 400 | 401 | 404 | 413 | 415; reason: string; message: string }
  | { status: 429 | 503; reason: string; message: string; retryAfterSeconds: number };

/**
 * remote_write → metrics.samples.v2. A request is acknowledged (204) only after Kafka has every
 * batch (acks=all, idempotent producer); if the broker cannot take it, 503 with Retry-After, so
 * Prometheus retries and nothing is lost. Bodies that can never succeed get 400 with the reason.
 */
@Injectable()
export class RemoteWriteService {
  private readonly interner = new LabelInterner();
  private readonly mappings = new EntityMappingCache();
  private readonly limits: RemoteWriteLimits;
  private readonly requests;
  private readonly rejected;
  private readonly samplesReceived;
  private readonly samplesPublished;
  private readonly samplesDropped;
  private readonly seriesUnmapped;
  private readonly limitRefusals;
  private readonly seriesRelabelled;
  readonly policies: TenantPolicies;
  readonly limiter = new TenantLimiter();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    private readonly rawMapper: RawSeriesMapper,
  ) {
    this.limits = {
      maxCompressedBytes: config.REMOTE_WRITE_MAX_BODY_BYTES,
      maxDecompressedBytes: config.REMOTE_WRITE_MAX_DECOMPRESSED_BYTES,
      maxSeriesPerRequest: config.REMOTE_WRITE_MAX_SERIES_PER_REQUEST,
      maxLabelsPerSeries: 64,
      maxLabelNameLength: 1024,
      maxLabelValueLength: 4096,
    };
    this.requests = metrics.counter('remote_write_requests_total', 'remote_write requests by HTTP status', ['code']);
    this.rejected = metrics.counter('remote_write_rejected_total', 'remote_write requests refused, by reason', ['reason']);
    this.samplesReceived = metrics.counter('samples_received_total', 'Samples decoded from remote_write requests');
    this.samplesPublished = metrics.counter('samples_published_total', 'Samples acknowledged by Kafka on metrics.samples.v2');
    this.samplesDropped = metrics.counter('samples_dropped_total', 'Samples not forwarded, by reason', ['reason']);
    this.seriesUnmapped = metrics.counter('series_unmapped_total', 'Series no recording-rule name matched, handed to the raw-series mapper (see mapping_samples_total)');
    this.limitRefusals = metrics.counter('limit_refusals_total', 'remote_write requests refused by a tenant limit (429)', ['tenant', 'limit']);
    this.seriesRelabelled = metrics.counter('series_relabel_dropped_total', 'Series dropped by the tenant\'s relabel rules, or left invalid by them', ['tenant', 'reason']);
    this.policies = loadTenantPolicies(config.INGESTION_TENANTS_FILE);
    this.limiter = new TenantLimiter({ defaults: this.policies.defaults });
    for (const [tenant, policy] of this.policies.tenants) this.limiter.setTenantLimits(tenant, policy.limits);
  }

  /** The tenant's relabel rules (Prometheus relabel_config semantics); unchanged series keep their shared label arrays. */
  private relabel(tenant: string, series: readonly DecodedSeries[]): DecodedSeries[] {
    const rules = this.policies.tenants.get(tenant)?.relabel;
    if (!rules) return series as DecodedSeries[];
    const kept: DecodedSeries[] = [];
    for (const s of series) {
      const labels = rules.apply(s.labels);
      if (labels === null) {
        this.seriesRelabelled.inc({ tenant, reason: 'dropped' });
        continue;
      }
      if (labels === s.labels) {
        kept.push(s);
        continue;
      }
      const check = checkRelabelledLabels(labels);
      if (!check.ok) {
        this.seriesRelabelled.inc({ tenant, reason: check.reason });
        continue;
      }
      kept.push({ ...s, labels, metricName: check.metricName });
    }
    return kept;
  }

  /** False on an instance whose INGESTION_ROLES leave out `receiver`. */
  get receives(): boolean {
    return this.config.INGESTION_ROLES.has('receiver');
  }

  get maxBodyBytes(): number {
    return this.config.REMOTE_WRITE_MAX_BODY_BYTES;
  }

  /** Counts a refusal decided before decoding (size, content type, tenant). */
  refuse(outcome: Exclude<WriteOutcome, { status: 204 }>): WriteOutcome {
    this.rejected.inc({ reason: outcome.reason });
    this.requests.inc({ code: String(outcome.status) });
    return outcome;
  }

  async write(tenant: string, body: Buffer): Promise<WriteOutcome> {
    let decoded;
    try {
      decoded = decodeRemoteWrite(body, this.limits, { interner: this.interner });
    } catch (error) {
      const reason = (error as { reason?: string }).reason ?? 'undecodable';
      return this.refuse({ status: reason === 'body_too_large' ? 413 : 400, reason, message: (error as Error).message });
    }
    this.samplesReceived.inc(decoded.sampleCount);
    const series = this.relabel(tenant, decoded.series);
    // All or nothing: Prometheus retries a 429, so a partly accepted request would duplicate samples.
    const admitted = this.limiter.admit(tenant, series.map((x) => ({ labels: x.labels, samples: x.samples.length })), Date.now());
    if (!admitted.ok) {
      this.limitRefusals.inc({ tenant, limit: admitted.limit });
      return this.refuse({ status: 429, reason: admitted.limit, message: admitted.message, retryAfterSeconds: Math.max(1, Math.ceil(admitted.retryAfterSeconds)) });
    }
    const mapped = seriesToEntities(tenant, this.config.CLUSTER_NAME, series, this.mappings);
    this.seriesUnmapped.inc(mapped.unmappedSeries);
    this.samplesDropped.inc({ reason: 'non_finite' }, mapped.droppedSamples);
    this.samplesDropped.inc({ reason: 'invalid_timestamp' }, mapped.invalidTimestamps);
    // Raw exporter series (cAdvisor, kube-state-metrics, node-exporter, DCGM, kafka-exporter): the
    // steps this request completed go out with it.
    const raw = this.rawMapper.map(tenant, mapped.unmapped);
    const batches = raw.length > 0 ? [...mapped.batches, ...raw] : mapped.batches;
    try {
      await publishSamples(this.messaging, tenant, 'remote_write', batches);
    } catch (error) {
      this.rawMapper.requeue(raw);
      this.logger.warn(`Kafka did not acknowledge ${batches.length} entity batches: ${(error as Error).message}`, 'RemoteWrite');
      return this.refuse({ status: 503, reason: 'kafka_unavailable', message: 'the message broker did not acknowledge the samples; retry', retryAfterSeconds: 5 });
    }
    this.samplesPublished.inc(mapped.acceptedSamples);
    this.requests.inc({ code: '204' });
    return { status: 204, samples: mapped.acceptedSamples };
  }
}
