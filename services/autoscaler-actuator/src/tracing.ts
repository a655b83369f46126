import { startTelemetry } from '@prescient/telemetry';

startTelemetry({ serviceName: 'autoscaler-actuator' });
