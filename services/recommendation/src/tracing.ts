import { startTelemetry } from '@prescient/telemetry';

startTelemetry({ serviceName: 'recommendation' });
