// Telemetry first: it must patch HTTP, Express, gRPC, pg and GraphQL before they are loaded.
import './tracing';
import { runService } from '@prescient/platform';
import { costService } from './service';

runService(costService);
