// A decode thread (see write-preparer-pool.ts): prepares remote_write bodies off the event loop.
// It loads only pure modules: no transport, no telemetry, no framework.
import { parentPort, workerData } from 'node:worker_threads';
import type { PreparedWrite } from '../domain/prepare-write';
import { type PreparerThreadData, type PreparerReply, type PreparerRequest, preparerFrom, transferListOf } from './write-preparer-protocol';

const preparer = preparerFrom(workerData as PreparerThreadData);
const port = parentPort!;

port.on('message', (request: PreparerRequest) => {
  let reply: PreparerReply;
  let result: PreparedWrite | undefined;
  try {
    result = preparer.prepare(request.job);
    reply = { id: request.id, result };
  } catch (error) {
    reply = { id: request.id, error: `${(error as Error).name}: ${(error as Error).message}` };
  }
  port.postMessage(reply, result ? transferListOf(result) : []);
});
