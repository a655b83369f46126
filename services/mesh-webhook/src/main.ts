// Telemetry first: it must patch HTTP, Express and pg before they are loaded.
import './tracing';
import { runService } from '@prescient/platform';
import { meshWebhookService } from './service';

runService(meshWebhookService);
