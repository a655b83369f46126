import { z } from 'zod';
import { baseConfigShape, port } from '@prescient/platform';

const list = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

export const meshWebhookConfigSchema = z.object({
  ...baseConfigShape,
  HTTP_PORT: port(9443),
  /** Where Prescient (and the platform's controllers) run: its Services stay visible mesh-wide. */
  MESH_PLATFORM_NAMESPACE: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a namespace name').default('prescient-system'),
  MESH_INGRESS_NAMESPACES: list.default('istio-system'),
  /** Tenant namespaces by list; when empty, namespaces labelled MESH_TENANT_LABEL are tenants. */
  MESH_TENANT_NAMESPACES: list.default(''),
  MESH_TENANT_LABEL: z.string().min(1).default('prescient.io/tenant'),
  /** AdmissionReview bodies larger than this are refused (413) before parsing. */
  WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024),
});

export type MeshWebhookConfig = z.infer<typeof meshWebhookConfigSchema>;
