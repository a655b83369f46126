// Telemetry first: it must patch HTTP, Express, pg and GraphQL before they are loaded.
import './tracing';
import { runService } from '@prescient/platform';
import { autoscalerActuatorService } from './service';

runService(autoscalerActuatorService);
