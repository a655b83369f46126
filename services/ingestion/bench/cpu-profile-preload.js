// Preloaded into the ingestion process by ingest-bench.ts (NODE_OPTIONS=--require …) for the profile
// pass: Node 20 refuses --cpu-prof in NODE_OPTIONS, and the service launcher fixes the command line.
// Profiles the main thread for the life of the process (like --cpu-prof, 1 ms sampling) and writes
// a .cpuprofile into PRESCIENT_CPU_PROFILE_DIR when the process exits. Plain JavaScript: it loads
// before the TypeScript hook. Decode threads inherit the preload and are left out: the event loop is
// what saturates first.
'use strict';
const { Session } = require('node:inspector');
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.PRESCIENT_CPU_PROFILE_DIR;
if (dir && require('node:worker_threads').isMainThread) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.once('exit', () => {
    // A same-thread session answers synchronously, so this completes inside the exit handler.
    session.post('Profiler.stop', (error, result) => {
      if (error || !result) return;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `ingestion-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
