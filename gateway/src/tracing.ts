import { startTelemetry } from '@prescient/telemetry';

startTelemetry({ serviceName: 'gateway' });
