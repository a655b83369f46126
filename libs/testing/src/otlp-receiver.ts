import { createServer, Server } from 'node:http';

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, string | number | boolean>;
}

interface OtlpValue { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number }
interface OtlpAttribute { key: string; value: OtlpValue }

/** Base64 (protobuf JSON mapping) or hex (OTLP/JSON) ids, always returned as lower-case hex. */
function hexId(id: string | undefined): string {
  if (!id) return '';
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

function attributes(list: OtlpAttribute[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const a of list ?? []) out[a.key] = a.value.stringValue ?? a.value.boolValue ?? a.value.doubleValue ?? Number(a.value.intValue);
  return out;
}

/** An OTLP/HTTP JSON trace receiver on loopback: the services export real spans to it in tests. */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private server: Server | undefined;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          for (const rs of body.resourceSpans ?? []) {
            const service = String(attributes(rs.resource?.attributes)['service.name'] ?? '');
            for (const ss of rs.scopeSpans ?? []) {
              for (const s of ss.spans ?? []) {
                this.spans.push({ service, traceId: hexId(s.traceId), spanId: hexId(s.spanId), parentSpanId: hexId(s.parentSpanId), name: s.name, kind: s.kind, attributes: attributes(s.attributes) });
              }
            }
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Environment that points a service's OTel SDK here, exporting quickly. */
  env(): Record<string, string> {
    return {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${this.port}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    };
  }

  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  /**
   * Waits for a trace that holds spans matching every predicate, and returns its spans. Traces are
   * found by content, not by an id the test chose: an instrumented client in the test process may
   * replace a traceparent header the test set.
   */
  async waitForTraceWith(predicates: Record<string, (s: ReceivedSpan) => boolean>, timeoutMs = 30000): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const byTrace = new Map<string, ReceivedSpan[]>();
      for (const span of this.spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
      let best: { spans: ReceivedSpan[]; missing: string[] } | undefined;
      for (const spans of byTrace.values()) {
        const missing = Object.entries(predicates).filter(([, p]) => !spans.some(p)).map(([name]) => name);
        if (missing.length === 0) return spans;
        if (!best || missing.length < best.missing.length) best = { spans, missing };
      }
      if (Date.now() > deadline) {
        const detail = best ? `the closest (${best.spans[0].traceId}) lacks: ${best.missing.join(', ')}; it has:\n${best.spans.map((s) => `  ${s.service}: ${s.name} (kind ${s.kind})`).join('\n')}` : 'no spans at all';
        throw new Error(`no trace holds every expected span; ${detail}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Waits until the trace holds spans matching every predicate. */
  async waitForTrace(traceId: string, predicates: Record<string, (s: ReceivedSpan) => boolean>, timeoutMs = 30000): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const spans = this.trace(traceId);
      const missing = Object.entries(predicates).filter(([, p]) => !spans.some(p)).map(([name]) => name);
      if (missing.length === 0) return spans;
      if (Date.now() > deadline) {
        throw new Error(`trace ${traceId} lacks: ${missing.join(', ')}; it has:\n${spans.map((s) => `  ${s.service}: ${s.name} (kind ${s.kind})`).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
