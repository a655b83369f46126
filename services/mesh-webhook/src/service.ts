import { ServiceSpec } from '@prescient/platform';
import { AdmissionDecision } from './admission/admission-decision.entity';
import { AppModule } from './app.module';
import { meshWebhookConfigSchema } from './config/mesh-webhook.config';
import { AdmissionDecisions1764000000000 } from './migrations/1764000000000-admission-decisions';

export const SERVICE_NAME = 'mesh-webhook';

export const meshWebhookService: ServiceSpec<typeof meshWebhookConfigSchema> = {
  name: SERVICE_NAME,
  configSchema: meshWebhookConfigSchema,
  entities: [AdmissionDecision],
  migrations: [AdmissionDecisions1764000000000],
  module: (platform) => AppModule.forRoot(platform),
  rawBodyRoutes: ['/mutate'],
};
