/**
 * Summarises a V8 .cpuprofile (node --cpu-prof) over a time window: top frames by self time, self
 * time by package / source area, and the inclusive time of the ingestion path's own functions.
 * Standalone: `node -r ./tools/register.js services/ingestion/bench/cpu-profile-summary.ts FILE`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}
interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

export interface ProfileShare {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly windowMs: number;
  readonly sampledMs: number;
  /** Share of the window the main thread was busy (not idle). */
  readonly busyShare: number;
  readonly topSelf: ProfileShare[];
  readonly byArea: ProfileShare[];
  readonly inclusive: ProfileShare[];
  /** Busy time by what the thread was doing: each sample goes to the nearest frame of its stack that names an activity. */
  readonly byActivity: ProfileShare[];
}

/**
 * Nearest-frame rules, tried on each frame from the leaf up; the first frame that matches a strong
 * rule decides. Weak rules (shared helpers such as kafkajs' utils, network, Node's buffer) only
 * decide when no strong rule matches further up the stack.
 */
const ACTIVITIES: { readonly name: string; readonly weak?: boolean; readonly test: (frame: CallFrame) => boolean }[] = [
  { name: 'Kafka consume (kafkajs fetch + record decode) — rollups consumer', test: (f) => /kafkajs\/src\/(consumer|protocol\/requests\/fetch)|kafkajs\/src\/protocol\/recordBatch\/.*decoder/.test(f.url) },
  { name: 'Kafka produce (kafkajs partition + encode record batches + send)', test: (f) => /kafkajs\/src\/(producer|protocol\/requests\/produce|protocol\/recordBatch)/.test(f.url) },
  { name: 'SampleBatch protobuf encode (publish)', test: (f) => /libs\/(contracts|platform)\/src\//.test(f.url) && /^(encode|finish)$/.test(f.functionName) },
  { name: 'SampleBatch protobuf decode (rollups consumer)', test: (f) => /libs\/(contracts|platform)\/src\//.test(f.url) && f.functionName === 'decode' },
  { name: 'rollups consumer (fold + PostgreSQL upsert)', test: (f) => /services\/ingestion\/src\/(rollups|domain\/rollup)/.test(f.url) || (f.functionName === 'handleOne' && /libs\/platform/.test(f.url)) },
  { name: 'seen-entities register (PostgreSQL upsert)', test: (f) => /services\/ingestion\/src\/workloads/.test(f.url) },
  { name: 'map series to entities (seriesToEntities, entityKey)', test: (f) => /series-to-entities|contracts\/src\/entities/.test(f.url) },
  { name: 'remote_write decode + validate', test: (f) => /services\/ingestion\/src\/domain\/remote-write/.test(f.url) },
  { name: 'tracing (OpenTelemetry)', test: (f) => /@opentelemetry|libs\/telemetry/.test(f.url) },
  { name: 'PostgreSQL client (pg, typeorm)', test: (f) => /node_modules\/(pg|pg-protocol|pg-pool|typeorm)\//.test(f.url) },
  { name: 'HTTP + Nest/Express', test: (f) => /node_modules\/(express|@nestjs|router|body-parser|raw-body|finalhandler)\/|remote-write\.controller/.test(f.url) },
  { name: 'remote_write service (other)', test: (f) => /services\/ingestion\/src\/remote-write/.test(f.url) },
  { name: 'V8 garbage collector', test: (f) => f.functionName === '(garbage collector)' },
  { name: 'Kafka other (kafkajs network, utils)', weak: true, test: (f) => /kafkajs\//.test(f.url) },
  { name: 'HTTP + Nest/Express', weak: true, test: (f) => /node:_http|node:internal\/http|node:net/.test(f.url) },
];

/** Functions of the write path (and what shares its thread) whose inclusive time is worth knowing. */
const PATH_FUNCTIONS = [
  'decodeRemoteWrite',
  'decompressSnappyBlock',
  'seriesToEntities',
  'write', // RemoteWriteService.write / controller
  'readCapped',
  'publish',
  'encode', // codecs
  'injectTraceContext',
  'record', // SeenEntitiesService.record
  'handleOne', // consumer
  'upsert', // RollupStore
  'rollUp',
  'query',
];

function frameKey(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  return `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm + 'node_modules/'.length);
  const repo = path.search(/\/(services|libs|gateway|tools)\//);
  if (repo >= 0) return path.slice(repo + 1);
  return path.startsWith('node:') ? path : basename(path);
}

function area(frame: CallFrame): string {
  if (!frame.url) {
    if (frame.functionName === '(garbage collector)') return 'V8 garbage collector';
    if (frame.functionName === '(program)') return 'V8/native (program)';
    if (frame.functionName === '(idle)') return '(idle)';
    return `native: ${frame.functionName || '(anonymous)'}`;
  }
  const path = frame.url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = path.slice(nm + 'node_modules/'.length).split('/');
    return `npm ${parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (path.startsWith('node:')) return `node ${path.slice(5).split('/').slice(0, 2).join('/')}`;
  const repo = path.search(/\/(services|libs|gateway)\//);
  if (repo >= 0) return path.slice(repo + 1).split('/').slice(0, -1).join('/');
  return basename(path);
}

/**
 * `fromUs`/`toUs` are CLOCK_MONOTONIC microseconds (process.hrtime in any process on the machine),
 * the clock V8 stamps profiles with; samples outside are ignored. Without them: the whole profile.
 */
export function summariseCpuProfile(file: string, fromUs?: number, toUs?: number, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const from = fromUs ?? profile.startTime;
  const to = toUs ?? profile.endTime;
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const activities = new Map<string, number>();
  let sampled = 0;
  let idle = 0;
  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i];
    if (time < from || time > to) continue;
    // A sample stands for the time until the next one.
    const weight = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i]) / 1000;
    const node = byId.get(profile.samples[i])!;
    sampled += weight;
    if (node.callFrame.functionName === '(idle)') {
      idle += weight;
      continue;
    }
    const key = frameKey(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + weight);
    const a = area(node.callFrame);
    areas.set(a, (areas.get(a) ?? 0) + weight);
    let activity: string | undefined;
    let weakActivity: string | undefined;
    for (let id: number | undefined = node.id; id !== undefined && activity === undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      for (const rule of ACTIVITIES) {
        if (!rule.test(frame)) continue;
        if (rule.weak) weakActivity ??= rule.name;
        else activity = rule.name;
        break;
      }
    }
    activity ??= weakActivity ?? 'other (Node internals, event loop, unattributed)';
    activities.set(activity, (activities.get(activity) ?? 0) + weight);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!PATH_FUNCTIONS.includes(frame.functionName) || !/\/(services|libs)\//.test(frame.url)) continue;
      const name = `${frame.functionName} ${shortUrl(frame.url)}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + weight);
    }
  }
  const busy = sampled - idle;
  const rank = (map: Map<string, number>, limit: number): ProfileShare[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), share: busy > 0 ? ms / busy : 0 }));
  return {
    file,
    windowMs: Math.round((to - from) / 1000),
    sampledMs: Math.round(sampled),
    busyShare: sampled > 0 ? busy / sampled : 0,
    topSelf: rank(self, top),
    byArea: rank(areas, 15),
    inclusive: rank(inclusive, 15),
    byActivity: rank(activities, 20),
  };
}

export function formatProfileSummary(summary: ProfileSummary, title: string): string {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)} %`;
  const lines = [
    `${title}: ${summary.file}`,
    `  window ${(summary.windowMs / 1000).toFixed(1)} s, main thread busy ${pct(summary.busyShare)} of it; shares below are of busy time`,
    '  busy time by activity (nearest identifying frame of each sample\'s stack):',
    ...summary.byActivity.map((s) => `    ${pct(s.share)}  ${s.name}`),
    '  self time by area:',
    ...summary.byArea.map((s) => `    ${pct(s.share)}  ${s.name}`),
    '  top frames by self time:',
    ...summary.topSelf.map((s) => `    ${pct(s.share)}  ${s.name}`),
    '  inclusive time of write-path functions (synchronous part):',
    ...summary.inclusive.map((s) => `    ${pct(s.share)}  ${s.name}`),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: cpu-profile-summary.ts FILE.cpuprofile\n');
    process.exit(2);
  }
  console.log(formatProfileSummary(summariseCpuProfile(file), 'profile'));
}
