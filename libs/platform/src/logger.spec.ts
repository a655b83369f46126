import { context, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { JsonLogger } from './logger';

describe('JsonLogger', () => {
  const lines: string[] = [];
  const logger = new JsonLogger('svc', 'info', (line) => lines.push(line));
  beforeAll(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
  afterAll(() => context.disable());
  beforeEach(() => (lines.length = 0));

  it('writes one JSON object a line with service, level, context and message', () => {
    logger.warn('disk low', 'Storage');
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'warn', service: 'svc', context: 'Storage', msg: 'disk low' });
  });

  it('adds the active trace and span ids', () => {
    const spanContext = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
    context.with(trace.setSpanContext(context.active(), spanContext), () => logger.log('inside'));
    expect(JSON.parse(lines[0])).toMatchObject({ trace_id: spanContext.traceId, span_id: spanContext.spanId });
  });

  it('drops lines below its level but always writes lifecycle events', () => {
    logger.debug('noise');
    new JsonLogger('svc', 'error', (l) => lines.push(l)).lifecycle('service ready', { event: 'ready', httpPort: 1 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ event: 'ready', httpPort: 1 });
  });

  it("keeps an error's stack", () => {
    logger.error(new Error('boom'));
    expect(JSON.parse(lines[0]).stack).toContain('Error: boom');
  });
});
