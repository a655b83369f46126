import { startTelemetry } from '@prescient/telemetry';

startTelemetry({ serviceName: 'cost' });
