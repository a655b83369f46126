/**
 * Offline validation of Kubernetes manifests (kubeconform -strict needs schemas from the internet):
 *
 *   validate [--env NAME=VALUE]... <file.yaml>...
 *     Every document of every file against its kind's schema, from the npm packages
 *     kubernetes-models (core kinds), @kubernetes-models/istio, @kubernetes-models/prometheus-operator
 *     and @kubernetes-models/cert-manager:
 *       - their JSON-schema validators (types, formats such as quantities, enums, required fields);
 *       - their TypeScript declarations, read with the compiler's type checker: a field that the
 *         kind does not have, at any depth, is refused (what kubeconform's -strict does);
 *     plus the chart's own rules (STYLE.md habits 9 and 10, the webhook's constraints).
 *     `${NAME}` placeholders are replaced by --env values first; one left over is an error.
 *
 *   same-istio [--env NAME=VALUE]... <rendered.yaml> <istio-file.yaml>...
 *     The Istio objects in the chart's rendering must be those of istio/*.yaml (kind, namespace,
 *     name and spec; labels and comments may differ).
 *
 * Exit codes: 0 valid, 1 invalid (each problem on its own line: file, document, kind/name, path,
 * message), 2 bad usage, 3 the schema packages are not installed.
 *
 * Run through deploy/ci/validate-manifests.sh, or: node -r ./tools/register.js deploy/ci/validate-manifests.ts validate .cache/manifests/*.yaml
 */
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ts from 'typescript';
import { LineCounter, parseAllDocuments } from 'yaml';

const REPO_ROOT = resolve(__dirname, '..', '..');

/** Schema packages, in lookup order, and the versions to install (Node 20: these are ESM, loaded with import()). */
export const SCHEMA_PACKAGES: { name: string; version: string; groups: string }[] = [
  { name: 'kubernetes-models', version: '5.1.0', groups: 'core Kubernetes kinds' },
  { name: '@kubernetes-models/istio', version: '3.0.1', groups: '*.istio.io' },
  { name: '@kubernetes-models/prometheus-operator', version: '6.0.0', groups: 'monitoring.coreos.com' },
  { name: '@kubernetes-models/cert-manager', version: '6.0.0', groups: 'cert-manager.io' },
];

interface Doc {
  file: string;
  index: number;
  line: number;
  source?: string;
  value: Record<string, unknown>;
}

interface Problem {
  where: string;
  path?: string;
  message: string;
}

class UsageError extends Error {}
class MissingPackagesError extends Error {}

// SWC compiles this file to CommonJS and would turn import() into require(), which cannot load ESM.
const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;

function describe(doc: Doc): string {
  const meta = (doc.value.metadata ?? {}) as { name?: string; namespace?: string };
  const id = `${String(doc.value.kind ?? '?')}/${meta.namespace ? `${meta.namespace}/` : ''}${meta.name ?? '?'}`;
  return `${doc.file}:${doc.line} (document ${doc.index + 1}${doc.source ? `, ${doc.source}` : ''}) ${id}`;
}

function substitute(text: string, env: Map<string, string>, file: string): string {
  const out = text.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (whole, name: string) => env.get(name) ?? whole);
  const left = [...out.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)].map((m) => m[1]);
  if (left.length) throw new UsageError(`${file}: placeholder(s) ${[...new Set(left)].map((n) => `\${${n}}`).join(', ')} not given (--env NAME=VALUE)`);
  return out;
}

function loadDocs(file: string, env: Map<string, string>, problems: Problem[]): Doc[] {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  const text = substitute(readFileSync(file, 'utf8'), env, file);
  const lineCounter = new LineCounter();
  const docs: Doc[] = [];
  parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: true }).forEach((parsed, index) => {
    const line = lineCounter.linePos(parsed.range[0]).line;
    for (const e of [...parsed.errors, ...parsed.warnings]) {
      problems.push({ where: `${file}:${e.linePos?.[0].line ?? line} (document ${index + 1})`, message: `YAML: ${e.message.split('\n')[0]}` });
    }
    if (parsed.errors.length) return;
    const value = parsed.toJS({ maxAliasCount: 0 }) as unknown;
    if (value === null || value === undefined) return; // an empty document (helm leaves some)
    const source = /Source: (\S+)/.exec(parsed.commentBefore ?? '')?.[1];
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ where: `${file}:${line} (document ${index + 1})`, message: 'a document must be a mapping' });
      return;
    }
    docs.push({ file, index, line, source, value: value as Record<string, unknown> });
  });
  return docs;
}

/** Directories to look for the schema packages in: the repository's node_modules, then NODE_PATH. */
function moduleDirs(): string[] {
  const dirs = [join(REPO_ROOT, 'node_modules')];
  for (const d of (process.env.NODE_PATH ?? '').split(delimiter)) if (d) dirs.push(resolve(d));
  return dirs;
}

function packageDir(name: string): string | undefined {
  for (const dir of moduleDirs()) {
    const candidate = join(dir, name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  }
  return undefined;
}

function requirePackages(): Map<string, string> {
  const found = new Map<string, string>();
  const missing: string[] = [];
  for (const p of SCHEMA_PACKAGES) {
    const dir = packageDir(p.name);
    if (dir) found.set(p.name, dir);
    else missing.push(`${p.name}@${p.version} (${p.groups})`);
  }
  if (missing.length) {
    throw new MissingPackagesError(
      `schema validation cannot run: not installed: ${missing.join(', ')}. ` +
        `Add them as devDependencies (npm install --save-dev --save-exact ${SCHEMA_PACKAGES.map((p) => `${p.name}@${p.version}`).join(' ')}).`,
    );
  }
  return found;
}

interface Model {
  /** Absolute path of the module without extension: <dir>/<Kind>(.js|.d.ts). */
  modulePath: string;
  kind: string;
}

function findModel(apiVersion: string, kind: string, packages: Map<string, string>): Model | undefined {
  if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  for (const dir of packages.values()) {
    const modulePath = join(dir, apiVersion, kind);
    if (existsSync(`${modulePath}.d.ts`) && existsSync(`${modulePath}.js`)) return { modulePath, kind };
  }
  return undefined;
}

interface AjvError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** The packages' JSON-schema validators. */
async function validateWithSchemas(docs: Doc[], models: Map<Doc, Model>, problems: Problem[]): Promise<void> {
  for (const doc of docs) {
    const model = models.get(doc);
    if (!model) continue;
    const module = await nativeImport(pathToFileURL(`${model.modulePath}.js`).href);
    const Cls = module[model.kind] as (new (data: unknown) => { validate(): void }) | undefined;
    if (typeof Cls !== 'function') {
      problems.push({ where: describe(doc), message: `${model.modulePath}.js exports no ${model.kind}` });
      continue;
    }
    try {
      new Cls(doc.value).validate();
    } catch (error) {
      const errors = ((error as { errors?: AjvError[] }).errors ?? []).filter((e) => e.message !== 'must match exactly one schema in "oneOf"');
      if (!errors.length) problems.push({ where: describe(doc), message: (error as Error).message });
      for (const e of errors) {
        const detail = e.params && 'allowedValues' in e.params ? `: ${JSON.stringify(e.params.allowedValues)}` : '';
        problems.push({ where: describe(doc), path: e.instancePath || '/', message: `${e.message ?? 'invalid'}${detail}` });
      }
    }
  }
}

/**
 * Unknown fields, at any depth (what kubeconform's -strict refuses): each document is walked along
 * its model's TypeScript type, read with the compiler's type checker. A field that no member of
 * the type (a union, for the CRDs' oneOf variants) declares is a problem; maps (index signatures)
 * take any key. The JSON-schema validators above check the values.
 */
function validateStrictFields(docs: Doc[], models: Map<Doc, Model>, problems: Problem[]): void {
  const checked = docs.filter((d) => models.has(d));
  const lines = [
    ...checked.map((d, i) => `import type { I${models.get(d)!.kind} as T${i} } from ${JSON.stringify(`${models.get(d)!.modulePath}.js`)};`),
    ...checked.map((_, i) => `export declare const d${i}: T${i};`),
  ];
  const fileName = join(REPO_ROOT, '.cache', 'validate-manifests', 'manifests.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
    lib: ['lib.es2022.d.ts'],
  };
  const host = ts.createCompilerHost(options);
  const source = ts.createSourceFile(fileName, lines.join('\n'), ts.ScriptTarget.ES2022, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) => (resolve(name) === fileName ? source : getSourceFile(name, languageVersion, onError, shouldCreate));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => resolve(name) === fileName || fileExists(name);
  const program = ts.createProgram({ rootNames: [fileName], options, host });
  for (const d of ts.getPreEmitDiagnostics(program)) {
    problems.push({ where: d.file ? `${d.file.fileName}` : 'type check', message: `cannot load the schema types: ${ts.flattenDiagnosticMessageText(d.messageText, '; ')}` });
  }
  const checker = program.getTypeChecker();
  const declarations = source.statements.filter(ts.isVariableStatement).map((st) => st.declarationList.declarations[0]);

  const members = (types: ts.Type[]): ts.Type[] =>
    types.flatMap((t) => (t.isUnion() ? t.types : [t])).filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)));
  const isOpen = (t: ts.Type) => (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;

  const walk = (value: unknown, types: ts.Type[], path: string, doc: Doc): void => {
    const ms = members(types);
    if (!ms.length || ms.some(isOpen)) return;
    if (Array.isArray(value)) {
      // An intersection of arrays (a property both halves of an `A & (B | C)` spec declare) takes what any of them takes.
      const items = ms
        .flatMap((t) => (t.isIntersection() ? t.types : [t]))
        .filter((t) => checker.isArrayType(t) || checker.isTupleType(t))
        .flatMap((t) => checker.getTypeArguments(t as ts.TypeReference));
      value.forEach((item, i) => walk(item, items, `${path}/${i}`, doc));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const objects = ms.filter((t) => (t.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) !== 0 && !checker.isArrayType(t));
    if (!objects.length) return; // a scalar where an object is: the JSON-schema check reports it
    const indexTypes = objects.map((t) => checker.getIndexTypeOfType(t, ts.IndexKind.String)).filter((t): t is ts.Type => t !== undefined);
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const propTypes = objects
        .map((t) => checker.getPropertyOfType(t, key))
        .filter((p): p is ts.Symbol => p !== undefined)
        .map((p) => checker.getTypeOfSymbolAtLocation(p, source));
      if (!propTypes.length && !indexTypes.length) {
        problems.push({ where: describe(doc), path: `${path}/${key}`, message: `unknown field ${JSON.stringify(key)} (${doc.value.apiVersion} ${doc.value.kind} has no such field here)` });
        continue;
      }
      walk(child, propTypes.length ? propTypes : indexTypes, `${path}/${key}`, doc);
    }
  };

  checked.forEach((doc, i) => {
    const type = checker.getTypeAtLocation(declarations[i].name);
    if (isOpen(type)) {
      problems.push({ where: describe(doc), message: `the TypeScript type of ${doc.value.apiVersion} ${doc.value.kind} did not load (${models.get(doc)!.modulePath}.d.ts)` });
      return;
    }
    walk(doc.value, [type], '', doc);
  });
}

const get = (o: unknown, ...keys: (string | number)[]): unknown => keys.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), o);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The chart's own rules: what a schema cannot say. */
function checkRules(docs: Doc[], problems: Problem[]): void {
  const byKind = (kind: string) => docs.filter((d) => d.value.kind === kind);
  const names = (kind: string) => new Set(byKind(kind).map((d) => `${String(get(d.value, 'metadata', 'namespace'))}/${String(get(d.value, 'metadata', 'name'))}`));
  const services = names('Service');
  const accounts = names('ServiceAccount');
  for (const doc of byKind('Deployment')) {
    const fail = (path: string, message: string) => problems.push({ where: describe(doc), path, message });
    const ns = String(get(doc.value, 'metadata', 'namespace'));
    const name = String(get(doc.value, 'metadata', 'name'));
    const pod = get(doc.value, 'spec', 'template', 'spec') as Record<string, unknown> | undefined;
    if (!pod) {
      fail('/spec/template/spec', 'missing');
      continue;
    }
    if (!services.has(`${ns}/${name}`)) fail('/metadata/name', `no Service ${ns}/${name} in the same rendering`);
    const sa = pod.serviceAccountName;
    if (!sa || sa === 'default') fail('/spec/template/spec/serviceAccountName', 'each component runs as its own ServiceAccount');
    else if (!accounts.has(`${ns}/${String(sa)}`)) fail('/spec/template/spec/serviceAccountName', `no ServiceAccount ${ns}/${String(sa)} in the same rendering`);
    const grace = Number(pod.terminationGracePeriodSeconds ?? 30);
    if (!(grace >= 30)) fail('/spec/template/spec/terminationGracePeriodSeconds', `is ${grace}; SIGTERM drains need at least 30`);
    asArray(pod.containers).forEach((c, i) => {
      const at = `/spec/template/spec/containers/${i}`;
      const sc = (get(c, 'securityContext') ?? {}) as Record<string, unknown>;
      const podSc = (pod.securityContext ?? {}) as Record<string, unknown>;
      if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) fail(`${at}/securityContext/runAsNonRoot`, 'must be true (here or in the pod securityContext)');
      if (sc.readOnlyRootFilesystem !== true) fail(`${at}/securityContext/readOnlyRootFilesystem`, 'must be true');
      if (sc.allowPrivilegeEscalation !== false) fail(`${at}/securityContext/allowPrivilegeEscalation`, 'must be false');
      if (!asArray(get(sc, 'capabilities', 'drop')).includes('ALL')) fail(`${at}/securityContext/capabilities/drop`, 'must contain ALL');
      if (asArray(get(sc, 'capabilities', 'add')).length) fail(`${at}/securityContext/capabilities/add`, 'must be empty');
      for (const r of ['cpu', 'memory']) if (get(c, 'resources', 'requests', r) === undefined) fail(`${at}/resources/requests/${r}`, 'is required');
      if (get(c, 'resources', 'limits', 'memory') === undefined) fail(`${at}/resources/limits/memory`, 'is required');
      if (get(c, 'livenessProbe', 'httpGet', 'path') !== '/healthz') fail(`${at}/livenessProbe/httpGet/path`, 'must be /healthz');
      if (get(c, 'readinessProbe', 'httpGet', 'path') !== '/readyz') fail(`${at}/readinessProbe/httpGet/path`, 'must be /readyz');
    });
  }
  for (const doc of byKind('MutatingWebhookConfiguration')) {
    const injected = get(doc.value, 'metadata', 'annotations', 'cert-manager.io/inject-ca-from');
    asArray(get(doc.value, 'webhooks')).forEach((w, i) => {
      const fail = (path: string, message: string) => problems.push({ where: describe(doc), path: `/webhooks/${i}${path}`, message });
      if (get(w, 'failurePolicy') !== 'Ignore') fail('/failurePolicy', 'must be Ignore: the webhook never blocks an admission');
      if (get(w, 'sideEffects') !== 'None') fail('/sideEffects', 'must be None');
      const timeout = Number(get(w, 'timeoutSeconds') ?? 10);
      if (!(timeout <= 5)) fail('/timeoutSeconds', `is ${timeout}; must be at most 5`);
      asArray(get(w, 'rules')).forEach((r, j) => {
        const resources = asArray(get(r, 'resources'));
        if (resources.length !== 1 || resources[0] !== 'services' || JSON.stringify(get(r, 'apiGroups')) !== '[""]') fail(`/rules/${j}`, 'must match core Services only');
        const ops = asArray(get(r, 'operations'));
        if (!ops.length || ops.some((o) => o !== 'CREATE' && o !== 'UPDATE')) fail(`/rules/${j}/operations`, `must be CREATE and/or UPDATE, not ${JSON.stringify(ops)}`);
      });
      const excluded = new Set(
        asArray(get(w, 'namespaceSelector', 'matchExpressions'))
          .filter((e) => get(e, 'key') === 'kubernetes.io/metadata.name' && get(e, 'operator') === 'NotIn')
          .flatMap((e) => asArray(get(e, 'values'))),
      );
      const own = get(w, 'clientConfig', 'service', 'namespace');
      for (const ns of ['kube-system', own]) if (typeof ns === 'string' && !excluded.has(ns)) fail('/namespaceSelector', `must exclude namespace ${ns}`);
      if (!get(w, 'clientConfig', 'caBundle') && !injected) fail('/clientConfig/caBundle', 'empty, and no cert-manager.io/inject-ca-from annotation to fill it');
    });
  }
}

function deepDiff(a: unknown, b: unknown, path = ''): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path || '/'}: ${a.length} items vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = deepDiff(a[i], b[i], `${path}/${i}`);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of [...keys].sort()) {
      const d = deepDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}/${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : `${path || '/'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

function sameIstio(rendered: Doc[], plain: Doc[], problems: Problem[]): void {
  const isIstio = (d: Doc) => /\.istio\.io\//.test(String(d.value.apiVersion));
  const key = (d: Doc) => `${String(d.value.apiVersion)} ${String(d.value.kind)} ${String(get(d.value, 'metadata', 'namespace'))}/${String(get(d.value, 'metadata', 'name'))}`;
  const left = new Map(rendered.filter(isIstio).map((d) => [key(d), d]));
  const right = new Map(plain.filter(isIstio).map((d) => [key(d), d]));
  if (!left.size) problems.push({ where: rendered[0]?.file ?? 'rendering', message: 'no Istio objects rendered (istio.enabled?)' });
  for (const [k, d] of left) if (!right.has(k)) problems.push({ where: describe(d), message: `rendered by the chart but not in istio/*.yaml (${k})` });
  for (const [k, d] of right) {
    const other = left.get(k);
    if (!other) {
      problems.push({ where: describe(d), message: `in istio/*.yaml but not rendered by the chart (${k})` });
      continue;
    }
    const diff = deepDiff(other.value.spec, d.value.spec, '/spec');
    if (diff) problems.push({ where: describe(d), message: `differs from the chart's (${describe(other)}) at ${diff} (chart vs file)` });
  }
}

function parseArgs(argv: string[]): { command: string; env: Map<string, string>; files: string[] } {
  const [command, ...rest] = argv;
  const env = new Map<string, string>();
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--env') {
      const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(rest[++i] ?? '');
      if (!m) throw new UsageError(`--env needs NAME=VALUE, got ${JSON.stringify(rest[i])}`);
      env.set(m[1], m[2]);
    } else files.push(rest[i]);
  }
  if (command !== 'validate' && command !== 'same-istio') throw new UsageError('usage: validate-manifests.ts validate|same-istio [--env NAME=VALUE]... <file.yaml>...');
  if (!files.length || (command === 'same-istio' && files.length < 2)) throw new UsageError(`${command}: which files?`);
  return { command, env, files };
}

export async function main(argv: string[]): Promise<number> {
  const { command, env, files } = parseArgs(argv);
  const problems: Problem[] = [];
  const docsByFile = files.map((f) => loadDocs(f, env, problems));
  const docs = docsByFile.flat();
  if (command === 'same-istio') {
    sameIstio(docsByFile[0], docsByFile.slice(1).flat(), problems);
  } else {
    const packages = requirePackages();
    const models = new Map<Doc, Model>();
    for (const doc of docs) {
      const { apiVersion, kind } = doc.value;
      const model = typeof apiVersion === 'string' && typeof kind === 'string' ? findModel(apiVersion, kind, packages) : undefined;
      if (model) models.set(doc, model);
      else problems.push({ where: describe(doc), message: `no schema for apiVersion ${JSON.stringify(apiVersion)} kind ${JSON.stringify(kind)} in ${[...packages.keys()].join(', ')}` });
      if (typeof get(doc.value, 'metadata', 'name') !== 'string') problems.push({ where: describe(doc), path: '/metadata/name', message: 'is required' });
    }
    await validateWithSchemas(docs, models, problems);
    validateStrictFields(docs, models, problems);
    checkRules(docs, problems);
  }
  for (const p of problems) process.stderr.write(`INVALID ${p.where}${p.path ? ` at ${p.path}` : ''}: ${p.message}\n`);
  const what = command === 'validate' ? `${docs.length} document(s) in ${files.length} file(s) validated` : `Istio objects of ${files[0]} compared with ${files.length - 1} file(s)`;
  process.stdout.write(`${what}: ${problems.length ? `${problems.length} problem(s)` : 'ok'}\n`);
  return problems.length ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`validate-manifests: ${error.message}\n`);
      process.exit(error instanceof UsageError ? 2 : error instanceof MissingPackagesError ? 3 : 1);
    },
  );
}

