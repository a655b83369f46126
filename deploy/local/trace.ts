import { readFileSync } from 'node:fs';

export interface TracePoint {
  timestampMs: number;
  value: number;
}

/** Reads a NAB-format trace (`timestamp,value`, UTC `YYYY-MM-DD HH:MM:SS`, one header line). */
export function readNabTrace(path: string): TracePoint[] {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const points: TracePoint[] = [];
  for (const [i, line] of lines.slice(1).entries()) {
    const [stamp, raw] = line.split(',');
    const timestampMs = Date.parse(`${stamp.replace(' ', 'T')}Z`);
    const value = Number(raw);
    if (!Number.isFinite(timestampMs) || !Number.isFinite(value)) throw new Error(`${path}:${i + 2}: not 'timestamp,value': ${line.slice(0, 80)}`);
    points.push({ timestampMs, value });
  }
  return points;
}

/** Moves a trace in time so that its last point lands at `endMs`, keeping its spacing. */
export function shiftToEnd(points: TracePoint[], endMs: number): TracePoint[] {
  const offset = endMs - points[points.length - 1].timestampMs;
  return points.map((p) => ({ timestampMs: p.timestampMs + offset, value: p.value }));
}
