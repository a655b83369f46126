import { context, propagation, trace, Context, SpanKind, SpanStatusCode, Span, Attributes } from '@opentelemetry/api';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { ExpressLayerType } from '@opentelemetry/instrumentation-express';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';

let sdk: NodeSDK | undefined;

export interface TelemetryOptions {
  serviceName: string;
  /** Extra span processors (tests add an in-memory exporter here). */
  spanProcessors?: SpanProcessor[];
  traceExporter?: SpanExporter;
}

/**
 * Starts the OpenTelemetry SDK. Call it before importing anything it instruments (HTTP, Express,
 * gRPC, pg, GraphQL): each service's main.ts imports its `tracing.ts` first. Configured by the
 * standard OTEL_* variables; with no OTLP endpoint set, spans are not exported (no error spam).
 * Kafka spans are ours (libs/platform messaging) so that produce/consume follow our header contract.
 */
export function startTelemetry({ serviceName, spanProcessors, traceExporter }: TelemetryOptions): void {
  if (sdk) return;
  process.env.OTEL_SERVICE_NAME ??= serviceName;
  const endpointSet = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const exportsSomewhere = endpointSet || Boolean(process.env.OTEL_TRACES_EXPORTER) || Boolean(traceExporter) || Boolean(spanProcessors?.length);
  // With nowhere to export, spans are still made (not exported), so trace context propagates and
  // log lines carry trace ids.
  const processors = exportsSomewhere ? spanProcessors : [new NoopSpanProcessor()];
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  sdk = new NodeSDK({
    serviceName,
    traceExporter,
    spanProcessors: processors,
    instrumentations: [
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-fs': { enabled: false },
        '@opentelemetry/instrumentation-dns': { enabled: false },
        '@opentelemetry/instrumentation-net': { enabled: false },
        '@opentelemetry/instrumentation-kafkajs': { enabled: false },
        // Express' middleware layers (query, json, urlencoded, …) would each be a span per request:
        // noise in a trace, and a measurable share of the event loop at remote_write rates. The
        // HTTP server span (with its route) and the route handler's span remain.
        '@opentelemetry/instrumentation-express': { ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] },
        '@opentelemetry/instrumentation-http': {
          // Probes and scrapes are not traffic worth a trace.
          ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)/.test(req.url ?? ''),
        },
      }),
    ],
  });
  sdk.start();
}

export async function shutdownTelemetry(): Promise<void> {
  await sdk?.shutdown().catch(() => undefined);
  sdk = undefined;
}

/** The active trace and span ids, for log lines. */
export function activeTraceIds(): { traceId?: string; spanId?: string } {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

/** Writes the W3C trace context of `ctx` into a carrier (Kafka headers, gRPC metadata). */
export function injectTraceContext(carrier: Record<string, string>, ctx: Context = context.active()): Record<string, string> {
  propagation.inject(ctx, carrier);
  return carrier;
}

export function extractTraceContext(carrier: Record<string, string | undefined>): Context {
  return propagation.extract(context.active(), carrier);
}

/** Runs `work` inside a span, recording errors; the span ends when `work` settles. */
export async function withSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer('prescient');
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(name, { kind: options.kind, attributes: options.attributes }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };
