// RFC 6902 patches computed the way Istio's injector does it: mutate a deep copy of the admitted
// object, then diff the copy against the original. Depth is bounded so hostile nesting fails cleanly
// (a JsonDepthError the caller turns into "allowed, unchanged") instead of overflowing the stack.

/** One RFC 6902 operation; the webhook only ever needs these three. */
export type JsonPatchOperation =
  | { op: 'add'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** Deeper than any Kubernetes Service; beyond it the input is junk. */
export const MAX_JSON_DEPTH = 100;

/** Thrown when a value nests deeper than the allowed depth. */
export class JsonDepthError extends Error {
  constructor(
    readonly path: string,
    readonly maxDepth: number,
  ) {
    super(`nests deeper than ${maxDepth} levels at ${path.length > 120 ? `${path.slice(0, 120)}…` : path}`);
    this.name = 'JsonDepthError';
  }
}

/** Escapes one reference token of a JSON pointer (RFC 6901): `~` → `~0`, then `/` → `~1`. */
export function escapeJsonPointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Reverses `escapeJsonPointer`: `~1` → `/`, then `~0` → `~`. */
export function unescapeJsonPointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Builds a JSON pointer from raw (unescaped) tokens. */
export function jsonPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${escapeJsonPointer(String(t))}`).join('');
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function has(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key) && obj[key] !== undefined;
}

// defineProperty, not assignment: a JSON key "__proto__" must stay data, never become a prototype.
function setOwn(obj: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Deep copy of a JSON value; throws JsonDepthError past `maxDepth` levels of nesting. */
export function cloneJson<T>(value: T, maxDepth: number = MAX_JSON_DEPTH): T {
  const clone = (v: unknown, path: string, depth: number): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (depth >= maxDepth) throw new JsonDepthError(path || '/', maxDepth);
    if (Array.isArray(v)) return v.map((item, i) => clone(item, `${path}/${i}`, depth + 1));
    const out: JsonObject = {};
    for (const key of Object.keys(v)) {
      const item = (v as JsonObject)[key];
      if (item !== undefined) setOwn(out, key, clone(item, `${path}/${escapeJsonPointer(key)}`, depth + 1));
    }
    return out;
  };
  return clone(value, '', 0) as T;
}

/** Structural equality of two JSON values (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown, maxDepth: number = MAX_JSON_DEPTH): boolean {
  const eq = (x: unknown, y: unknown, depth: number): boolean => {
    if (x === y) return true;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (depth >= maxDepth) throw new JsonDepthError('(comparison)', maxDepth);
    if (Array.isArray(x) || Array.isArray(y)) {
      return Array.isArray(x) && Array.isArray(y) && x.length === y.length && x.every((v, i) => eq(v, y[i], depth + 1));
    }
    const xo = x as JsonObject;
    const yo = y as JsonObject;
    const xk = Object.keys(xo).filter((k) => xo[k] !== undefined);
    const yk = Object.keys(yo).filter((k) => yo[k] !== undefined);
    return xk.length === yk.length && xk.every((k) => has(yo, k) && eq(xo[k], yo[k], depth + 1));
  };
  return eq(a, b, 0);
}

/**
 * The operations that turn `original` into `mutated`. Objects are diffed key by key (so adding one
 * annotation is one `add`, and a missing `annotations` map is added whole); arrays of equal length
 * element by element, otherwise replaced whole, which keeps every index valid when applied in order.
 */
export function createJsonPatch(original: unknown, mutated: unknown, maxDepth: number = MAX_JSON_DEPTH): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  const diff = (a: unknown, b: unknown, path: string, depth: number): void => {
    if (a === b) return;
    if (depth >= maxDepth) throw new JsonDepthError(path || '/', maxDepth);
    if (isObject(a) && isObject(b)) {
      for (const key of Object.keys(a)) {
        if (has(a, key) && !has(b, key)) ops.push({ op: 'remove', path: `${path}/${escapeJsonPointer(key)}` });
      }
      for (const key of Object.keys(b)) {
        if (!has(b, key)) continue;
        const child = `${path}/${escapeJsonPointer(key)}`;
        if (has(a, key)) diff(a[key], b[key], child, depth + 1);
        else ops.push({ op: 'add', path: child, value: b[key] });
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((item, i) => diff(item, b[i], `${path}/${i}`, depth + 1));
      return;
    }
    if (!jsonEqual(a, b, maxDepth - depth)) ops.push({ op: 'replace', path, value: b });
  };
  diff(original, mutated, '', 0);
  return ops;
}

/** Thrown by `applyJsonPatch` when an operation does not fit the document. */
export class JsonPatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPatchError';
  }
}

/** Applies add/replace/remove operations to a copy of `document` (for tests and for checking a patch). */
export function applyJsonPatch<T>(document: T, ops: readonly JsonPatchOperation[]): T {
  let root: unknown = cloneJson(document);
  for (const operation of ops) {
    if (operation.path === '') {
      if (operation.op === 'remove') throw new JsonPatchError('cannot remove the document root');
      root = cloneJson(operation.value);
      continue;
    }
    if (!operation.path.startsWith('/')) throw new JsonPatchError(`bad pointer ${JSON.stringify(operation.path)}`);
    const tokens = operation.path.slice(1).split('/').map(unescapeJsonPointer);
    const last = tokens.pop() as string;
    let parent: unknown = root;
    for (const token of tokens) {
      parent = Array.isArray(parent) ? parent[Number(token)] : isObject(parent) && has(parent, token) ? parent[token] : undefined;
      if (typeof parent !== 'object' || parent === null) throw new JsonPatchError(`path ${operation.path} does not exist`);
    }
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      const bound = operation.op === 'add' ? parent.length : parent.length - 1;
      if (!/^(0|[1-9][0-9]*|-)$/.test(last) || index > bound) throw new JsonPatchError(`bad index in ${operation.path}`);
      if (operation.op === 'add') parent.splice(index, 0, cloneJson(operation.value));
      else if (operation.op === 'replace') parent[index] = cloneJson(operation.value);
      else parent.splice(index, 1);
    } else if (isObject(parent)) {
      if (operation.op !== 'add' && !has(parent, last)) throw new JsonPatchError(`path ${operation.path} does not exist`);
      if (operation.op === 'remove') delete parent[last];
      else setOwn(parent, last, cloneJson(operation.value));
    } else {
      throw new JsonPatchError(`path ${operation.path} does not exist`);
    }
  }
  return root as T;
}

/** The base64 body of an AdmissionResponse `patch`. */
export function encodeJsonPatch(ops: readonly JsonPatchOperation[]): string {
  return Buffer.from(JSON.stringify(ops), 'utf8').toString('base64');
}
