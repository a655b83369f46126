import { LoggerService } from '@nestjs/common';
import { activeTraceIds } from '@prescient/telemetry';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

/** One JSON object a line, with the active trace and span ids, for Grafana/Loki to link to traces. */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly service: string,
    private readonly level: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }

  /** Lifecycle events (ready, draining, stopped): always written, whatever the level; supervisors wait for them. */
  lifecycle(message: string, fields: Record<string, unknown>): void {
    this.emit('info', message, [fields, 'Lifecycle'], true);
  }

  private emit(level: LogLevel, message: unknown, rest: unknown[], always = false): void {
    if (!always && LEVELS[level] < LEVELS[this.level]) return;
    // Nest passes the context as the last string argument; an Error's stack may precede it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const extra = rest.filter((r) => r !== context);
    const { traceId, spanId } = activeTraceIds();
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      service: this.service,
      ...(context ? { context } : {}),
      msg: message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message),
      ...(traceId ? { trace_id: traceId, span_id: spanId } : {}),
    };
    if (message instanceof Error) entry.stack = message.stack;
    for (const item of extra) {
      if (typeof item === 'string' && item.includes('\n    at ')) entry.stack = item;
      else if (item && typeof item === 'object') Object.assign(entry, item);
    }
    this.write(JSON.stringify(entry));
  }
}
