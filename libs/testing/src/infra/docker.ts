import { request } from 'node:http';

/**
 * True when a Docker engine answers `/_ping` (DOCKER_HOST as unix:// or tcp://, else the default
 * socket). A docker client with no engine behind it answers false.
 */
export function dockerEngineAnswers(timeoutMs = 1500): Promise<boolean> {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const target = host.startsWith('unix://')
    ? { socketPath: host.slice('unix://'.length) }
    : (() => {
        const url = new URL(host.replace(/^tcp:/, 'http:'));
        return { host: url.hostname, port: Number(url.port || 2375) };
      })();
  return new Promise((resolvePing) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolvePing(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolvePing(false));
    req.end();
  });
}
