// Telemetry first: it must patch HTTP and Express before they are loaded.
import './tracing';
import { ConfigError } from '@prescient/platform';
import { shutdownTelemetry } from '@prescient/telemetry';
import { startGateway } from './gateway';

startGateway().then(
  (gateway) => {
    const stop = () => gateway.stop().then(shutdownTelemetry).then(() => process.exit(0), () => process.exit(1));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  },
  (error: Error) => {
    process.stderr.write(`gateway: ${error instanceof ConfigError ? error.message : `cannot start: ${error.message}`}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
