import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { encodeSampleEnvelopes, TOPICS } from '@prescient/contracts';
import { JsonLogger, KafkaMessaging, publishEnvelopes, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { IngestionConfig } from '../config/ingestion.config';
import { admissionSeries, type PreparedWrite } from '../domain/prepare-write';
import { TenantLimiter } from '../domain/limits';
import { loadTenantPolicies, TenantPolicies } from '../tenants/tenant-policies';
import { RawSeriesMapper } from './raw-series-mapper.service';
import { PreparerUnavailableError, WritePreparerPool } from './write-preparer-pool';

export type WriteOutcome =
  | { status: 204; samples: number }
  | { status: 400 | 401 | 404 | 413 | 415; reason: string; message: string }
  | { status: 429 | 503; reason: string; message: string; retryAfterSeconds: number };

const SAMPLES_TOPIC = TOPICS.metricsSamples.name;

/**
 * remote_write → metrics.samples.v2. A request is acknowledged (204) only after Kafka has every
 * batch (acks=all, idempotent producer); if the broker cannot take it, 503 with Retry-After, so
 * Prometheus retries and nothing is lost. Bodies that can never succeed get 400 with the reason.
 *
 * The body is prepared (decoded, relabelled, fingerprinted, mapped, encoded) on a decode thread
 * (WritePreparerPool); what holds state across requests stays here, on the event loop: the tenant
 * limits, the raw-series mapper and the producer.
 */
@Injectable()
export class RemoteWriteService implements OnApplicationShutdown {
  private readonly preparers: WritePreparerPool;
  private readonly requests;
  private readonly rejected;
  private readonly samplesReceived;
  private readonly samplesPublished;
  private readonly samplesDropped;
  private readonly seriesUnmapped;
  private readonly limitRefusals;
  private readonly seriesRelabelled;
  readonly policies: TenantPolicies;
  readonly limiter: TenantLimiter;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: IngestionConfig,
    @Inject(KafkaMessaging) private readonly messaging: KafkaMessaging,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
    private readonly rawMapper: RawSeriesMapper,
  ) {
    this.requests = metrics.counter('remote_write_requests_total', 'remote_write requests by HTTP status', ['code']);
    this.rejected = metrics.counter('remote_write_rejected_total', 'remote_write requests refused, by reason', ['reason']);
    this.samplesReceived = metrics.counter('samples_received_total', 'Samples decoded from remote_write requests');
    this.samplesPublished = metrics.counter('samples_published_total', 'Received samples acknowledged by Kafka on metrics.samples.v2 (values the mapper derives: mapping_values_published_total)');
    this.samplesDropped = metrics.counter('samples_dropped_total', 'Samples not forwarded, by reason', ['reason']);
    this.seriesUnmapped = metrics.counter('series_unmapped_total', 'Series no recording-rule name matched, handed to the raw-series mapper (see mapping_samples_total)');
    this.limitRefusals = metrics.counter('limit_refusals_total', 'remote_write requests refused by a tenant limit (429)', ['tenant', 'limit']);
    this.seriesRelabelled = metrics.counter('series_relabel_dropped_total', 'Series dropped by the tenant\'s relabel rules, or left invalid by them', ['tenant', 'reason']);
    const threadExits = metrics.counter('remote_write_decode_thread_exits_total', 'Decode threads that ended unasked (each is replaced; its requests got 503)');
    this.policies = loadTenantPolicies(config.INGESTION_TENANTS_FILE);
    this.limiter = new TenantLimiter({ defaults: this.policies.defaults });
    for (const [tenant, policy] of this.policies.tenants) this.limiter.setTenantLimits(tenant, policy.limits);
    const relabelConfigs = Object.fromEntries([...this.policies.tenants].flatMap(([tenant, p]) => (p.relabelConfigs ? [[tenant, p.relabelConfigs]] : [])));
    this.preparers = new WritePreparerPool({
      threads: this.receives ? config.REMOTE_WRITE_DECODE_THREADS : 0,
      data: {
        limits: {
          maxCompressedBytes: config.REMOTE_WRITE_MAX_BODY_BYTES,
          maxDecompressedBytes: config.REMOTE_WRITE_MAX_DECOMPRESSED_BYTES,
          maxSeriesPerRequest: config.REMOTE_WRITE_MAX_SERIES_PER_REQUEST,
          maxLabelsPerSeries: 64,
          maxLabelNameLength: 1024,
          maxLabelValueLength: 4096,
        },
        defaultCluster: config.CLUSTER_NAME,
        relabelConfigs,
      },
      onThreadExit: (detail) => {
        threadExits.inc();
        this.logger.error(`a remote_write decode thread ended (${detail}); it is replaced`, undefined, 'RemoteWrite');
      },
    });
    metrics.gauge('remote_write_decode_threads', 'Decode threads running').set(this.preparers.size);
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

  /** Takes `body` over (it may be handed to a decode thread): the caller must not use it after. */
  async write(tenant: string, body: Buffer): Promise<WriteOutcome> {
    let partitions: number;
    try {
      partitions = await this.messaging.partitionCount(SAMPLES_TOPIC);
    } catch (error) {
      return this.kafkaUnavailable(`no metadata for ${SAMPLES_TOPIC}: ${(error as Error).message}`);
    }
    const receivedAtMs = Date.now();
    let prepared: PreparedWrite;
    try {
      prepared = await this.preparers.prepare({ tenant, body, partitions, receivedAtMs, source: 'remote_write' });
    } catch (error) {
      if (!(error instanceof PreparerUnavailableError)) throw error;
      return this.refuse({ status: 503, reason: 'decode_unavailable', message: error.message, retryAfterSeconds: 1 });
    }
    if (!prepared.ok) return this.refuse({ status: prepared.status, reason: prepared.reason, message: prepared.message });
    this.samplesReceived.inc(prepared.decodedSamples);
    for (const [reason, count] of Object.entries(prepared.relabelled)) this.seriesRelabelled.inc({ tenant, reason }, count);
    // All or nothing: Prometheus retries a 429, so a partly accepted request would duplicate samples.
    const admitted = this.limiter.admit(tenant, admissionSeries(prepared.admission), Date.now());
    if (!admitted.ok) {
      this.limitRefusals.inc({ tenant, limit: admitted.limit });
      return this.refuse({ status: 429, reason: admitted.limit, message: admitted.message, retryAfterSeconds: Math.max(1, Math.ceil(admitted.retryAfterSeconds)) });
    }
    this.seriesUnmapped.inc(prepared.unmappedSeries);
    this.samplesDropped.inc({ reason: 'non_finite' }, prepared.nonFiniteSamples);
    this.samplesDropped.inc({ reason: 'invalid_timestamp' }, prepared.invalidTimestamps);
    // Raw exporter series (cAdvisor, kube-state-metrics, node-exporter, DCGM, kafka-exporter): the
    // steps this request completed go out with it.
    const raw = this.rawMapper.map(tenant, prepared.raw, prepared.unread);
    const envelopes = prepared.envelopes.map((e) => ({ partition: e.partition, value: Buffer.from(e.value.buffer, e.value.byteOffset, e.value.byteLength) }));
    if (raw.length > 0) envelopes.push(...encodeSampleEnvelopes(raw, { source: 'remote_write', receivedAtMs, partitions }));
    try {
      await publishEnvelopes(this.messaging, tenant, envelopes);
    } catch (error) {
      this.rawMapper.requeue(raw);
      return this.kafkaUnavailable(`Kafka did not acknowledge ${envelopes.length} envelopes: ${(error as Error).message}`);
    }
    this.samplesPublished.inc(prepared.acceptedSamples);
    this.rawMapper.acknowledged(raw);
    this.requests.inc({ code: '204' });
    return { status: 204, samples: prepared.acceptedSamples };
  }

  private kafkaUnavailable(detail: string): WriteOutcome {
    this.logger.warn(detail, 'RemoteWrite');
    return this.refuse({ status: 503, reason: 'kafka_unavailable', message: 'the message broker did not acknowledge the samples; retry', retryAfterSeconds: 5 });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.preparers.close();
  }
}
