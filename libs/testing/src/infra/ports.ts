import { createServer } from 'node:net';

/** A TCP port free on loopback right now (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read a free port from the OS'));
        return;
      }
      server.close(() => resolvePort(address.port));
    });
  });
}

/** Polls `probe` until it resolves true, or fails naming `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  { timeoutMs, intervalMs = 250, abort }: { timeoutMs: number; intervalMs?: number; abort?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const aborted = abort?.();
    if (aborted) throw new Error(`${what}: ${aborted}`);
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`${what}: not ready after ${Math.round(timeoutMs / 1000)} s${cause}`);
}
