import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JsonLogger, SERVICE_CONFIG } from '@prescient/platform';
import { ServiceMetrics } from '@prescient/telemetry';
import { MeshWebhookConfig } from '../config/mesh-webhook.config';
import { createMeshPolicy, MeshPolicy, reviewAdmission } from '../domain';
import { AdmissionDecision } from './admission-decision.entity';

type ReviewResult = ReturnType<typeof reviewAdmission>;

/** Reviews Services with the mesh policy; records and counts each decision. Never blocks admission. */
@Injectable()
export class AdmissionService {
  readonly policy: MeshPolicy;
  private readonly reviews;

  constructor(
    @Inject(SERVICE_CONFIG) readonly config: MeshWebhookConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ServiceMetrics) metrics: ServiceMetrics,
    @Inject(JsonLogger) private readonly logger: JsonLogger,
  ) {
    this.policy = createMeshPolicy({
      platformNamespace: config.MESH_PLATFORM_NAMESPACE,
      ingressGatewayNamespaces: config.MESH_INGRESS_NAMESPACES,
      tenants: config.MESH_TENANT_NAMESPACES.length > 0
        ? { kind: 'list', namespaces: config.MESH_TENANT_NAMESPACES }
        : { kind: 'label', label: config.MESH_TENANT_LABEL },
    });
    this.reviews = metrics.counter('admission_reviews_total', 'AdmissionReviews answered, by outcome and rule', ['outcome', 'rule']);
  }

  async review(body: unknown): Promise<ReviewResult> {
    const result = reviewAdmission(body, this.policy);
    this.reviews.inc({ outcome: result.outcome, rule: result.rule });
    if (result.outcome === 'error') this.logger.warn(`admission allowed unchanged (${result.rule}): ${result.reason}`, 'Admission');
    const request = (body as { request?: { namespace?: unknown; name?: unknown; operation?: unknown; object?: { metadata?: { name?: unknown } } } } | null)?.request;
    // The audit trail must never delay or fail an admission: record in the background.
    void this.dataSource.getRepository(AdmissionDecision).insert({
      uid: result.review.response?.uid ?? '',
      namespace: String(request?.namespace ?? '').slice(0, 253),
      name: String(request?.name ?? request?.object?.metadata?.name ?? '').slice(0, 253),
      operation: String(request?.operation ?? '').slice(0, 16),
      outcome: result.outcome,
      rule: result.rule,
      reason: result.reason,
      patch: (result.patch ?? null) as never,
      decidedAt: new Date(),
    }).catch((e: Error) => this.logger.warn(`decision not recorded: ${e.message}`, 'Admission'));
    return result;
  }
}
