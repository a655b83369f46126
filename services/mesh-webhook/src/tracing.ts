import { startTelemetry } from '@prescient/telemetry';

startTelemetry({ serviceName: 'mesh-webhook' });
