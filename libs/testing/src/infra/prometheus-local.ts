import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandExists, ManagedProcess } from './managed-process';
import { logDir, scratchDir } from './paths';
import { freePort, waitUntil } from './ports';

/**
 * Real Prometheus, node-exporter and promtool for tests (Debian's `prometheus` 2.42 and
 * `prometheus-node-exporter`), each on a free loopback port, logging to `.prescient/logs/`, and
 * stopped by the caller (ManagedProcess's watchdog stops them if the test process dies).
 */

export interface LocalProcess {
  url: string;
  port: number;
  logFile: string;
  stop(): Promise<void>;
}

export interface LocalPrometheus extends LocalProcess {
  storagePath: string;
}

function requireCommand(command: string, pkg: string): void {
  if (!commandExists(command)) throw new Error(`${command} not found: install Debian's \`${pkg}\` (apt-get install -y ${pkg})`);
}

async function answers(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.ok;
}

/**
 * Starts Prometheus with `config` (YAML; `$PORT` is replaced by its own port, so it can scrape
 * itself) on an existing or fresh TSDB directory; resolves once `/-/ready` answers.
 */
export async function startLocalPrometheus(options: { config: string; storagePath?: string; extraArgs?: string[] }): Promise<LocalPrometheus> {
  requireCommand('prometheus', 'prometheus');
  const port = await freePort();
  const dir = scratchDir('prometheus');
  const storagePath = options.storagePath ?? join(dir, 'data');
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, options.config.split('$PORT').join(String(port)));
  const logFile = join(logDir(), `prometheus-${port}.log`);
  const child = new ManagedProcess({
    name: 'prometheus',
    command: 'prometheus',
    args: [`--config.file=${configFile}`, `--storage.tsdb.path=${storagePath}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=400d', ...(options.extraArgs ?? [])],
    logFile,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(`Prometheus at ${url}`, () => answers(`${url}/-/ready`), { timeoutMs: 60_000, abort: () => child.exitReason() });
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { url, port, storagePath, logFile, stop: () => child.stop() };
}

/**
 * Starts prometheus-node-exporter with only the collectors asked for (the defaults include some,
 * like systemd, that fail without a system bus or privileges); resolves once `/metrics` answers.
 */
export async function startNodeExporter(options: { collectors?: string[] } = {}): Promise<LocalProcess> {
  requireCommand('prometheus-node-exporter', 'prometheus-node-exporter');
  const port = await freePort();
  const logFile = join(logDir(), `node-exporter-${port}.log`);
  const collectors = options.collectors ?? ['cpu', 'meminfo', 'loadavg'];
  const child = new ManagedProcess({
    name: 'node-exporter',
    command: 'prometheus-node-exporter',
    args: [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', ...collectors.map((c) => `--collector.${c}`)],
    logFile,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(`node-exporter at ${url}`, () => answers(`${url}/metrics`), { timeoutMs: 30_000, abort: () => child.exitReason() });
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { url: `${url}/metrics`, port, logFile, stop: () => child.stop() };
}

/** `promtool tsdb create-blocks-from openmetrics`: historical samples into TSDB blocks Prometheus loads at start. */
export function createBlocksFromOpenMetrics(inputFile: string, storagePath: string): void {
  requireCommand('promtool', 'prometheus');
  const result = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '-q', inputFile, storagePath], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`promtool tsdb create-blocks-from openmetrics failed (${result.status ?? result.signal}): ${result.stderr || result.stdout || result.error?.message}`);
}
