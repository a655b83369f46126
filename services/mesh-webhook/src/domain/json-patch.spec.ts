import {
  applyJsonPatch,
  cloneJson,
  createJsonPatch,
  encodeJsonPatch,
  escapeJsonPointer,
  JsonDepthError,
  jsonEqual,
  JsonPatchError,
  type JsonPatchOperation,
  jsonPointer,
  unescapeJsonPointer,
} from './json-patch';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { n: value };
  return value;
}

describe('JSON pointer escaping (RFC 6901)', () => {
  it.each([
    ['networking.istio.io/exportTo', 'networking.istio.io~1exportTo'],
    ['a~b', 'a~0b'],
    ['~/', '~0~1'],
    ['~1', '~01'], // "~" first, or "~1" would come back as "/"
    ['/~', '~1~0'],
    ['', ''],
    ['plain', 'plain'],
  ])('%j ↔ %j', (raw, escaped) => {
    expect(escapeJsonPointer(raw)).toBe(escaped);
    expect(unescapeJsonPointer(escaped)).toBe(raw);
  });

  it('builds pointers from tokens', () => {
    expect(jsonPointer(['metadata', 'annotations', 'networking.istio.io/exportTo'])).toBe('/metadata/annotations/networking.istio.io~1exportTo');
    expect(jsonPointer(['spec', 'ports', 0])).toBe('/spec/ports/0');
    expect(jsonPointer([])).toBe('');
  });
});

interface DiffCase {
  name: string;
  original: unknown;
  mutated: unknown;
  ops: JsonPatchOperation[];
}

const diffCases: DiffCase[] = [
  { name: 'identical', original: { a: 1, b: [1, { c: 2 }] }, mutated: { b: [1, { c: 2 }], a: 1 }, ops: [] },
  {
    name: 'annotation key with "/" is escaped',
    original: { metadata: { annotations: { x: 'y' } } },
    mutated: { metadata: { annotations: { x: 'y', 'networking.istio.io/exportTo': '.' } } },
    ops: [{ op: 'add', path: '/metadata/annotations/networking.istio.io~1exportTo', value: '.' }],
  },
  {
    name: 'key with "~" and "/" is escaped',
    original: { m: {} },
    mutated: { m: { 'a~/b': 1 } },
    ops: [{ op: 'add', path: '/m/a~0~1b', value: 1 }],
  },
  {
    name: 'missing annotations are added whole',
    original: { metadata: { name: 's' } },
    mutated: { metadata: { name: 's', annotations: { 'networking.istio.io/exportTo': '.', 'prescient.io/export-to-managed': '.' } } },
    ops: [{ op: 'add', path: '/metadata/annotations', value: { 'networking.istio.io/exportTo': '.', 'prescient.io/export-to-managed': '.' } }],
  },
  {
    name: 'null annotations are replaced',
    original: { metadata: { annotations: null } },
    mutated: { metadata: { annotations: { k: 'v' } } },
    ops: [{ op: 'replace', path: '/metadata/annotations', value: { k: 'v' } }],
  },
  {
    name: 'changed value is replaced',
    original: { metadata: { annotations: { 'networking.istio.io/exportTo': '.' } } },
    mutated: { metadata: { annotations: { 'networking.istio.io/exportTo': '.,istio-system' } } },
    ops: [{ op: 'replace', path: '/metadata/annotations/networking.istio.io~1exportTo', value: '.,istio-system' }],
  },
  {
    name: 'removed key',
    original: { metadata: { annotations: { a: '1', 'x/y': '2' } } },
    mutated: { metadata: { annotations: { a: '1' } } },
    ops: [{ op: 'remove', path: '/metadata/annotations/x~1y' }],
  },
  {
    name: 'undefined counts as absent',
    original: { a: 1, b: undefined },
    mutated: { a: 1, c: undefined },
    ops: [],
  },
  {
    name: 'equal-length arrays diffed by element',
    original: { ports: [{ port: 80 }, { port: 81 }] },
    mutated: { ports: [{ port: 80 }, { port: 82 }] },
    ops: [{ op: 'replace', path: '/ports/1/port', value: 82 }],
  },
  {
    name: 'arrays of different length replaced whole',
    original: { ports: [1, 2, 3] },
    mutated: { ports: [1, 3] },
    ops: [{ op: 'replace', path: '/ports', value: [1, 3] }],
  },
  { name: 'type change', original: { a: { b: 1 } }, mutated: { a: [1] }, ops: [{ op: 'replace', path: '/a', value: [1] }] },
  { name: 'root replaced', original: 1, mutated: 'x', ops: [{ op: 'replace', path: '', value: 'x' }] },
  {
    name: '"__proto__" stays a plain key',
    original: JSON.parse('{"m":{}}'),
    mutated: JSON.parse('{"m":{"__proto__":{"polluted":true}}}'),
    ops: [{ op: 'add', path: '/m/__proto__', value: { polluted: true } }],
  },
];

describe('createJsonPatch', () => {
  it.each(diffCases)('$name', ({ original, mutated, ops }) => {
    const patch = createJsonPatch(original, mutated);
    expect(patch).toEqual(ops);
    expect(jsonEqual(applyJsonPatch(original, patch), mutated)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('does not modify its inputs', () => {
    const original = { metadata: { annotations: { a: '1' } } };
    const mutated = cloneJson(original);
    mutated.metadata.annotations.a = '2';
    createJsonPatch(original, mutated);
    expect(original.metadata.annotations.a).toBe('1');
  });

  it('skips shared subtrees by identity, so deep unchanged data costs nothing', () => {
    const junk = nested(10_000);
    expect(createJsonPatch({ junk, a: 1 }, { junk, a: 2 })).toEqual([{ op: 'replace', path: '/a', value: 2 }]);
  });

  it('throws JsonDepthError on nesting past the limit', () => {
    expect(() => createJsonPatch(nested(200), nested(201))).toThrow(JsonDepthError);
  });
});

describe('cloneJson', () => {
  it('copies deeply', () => {
    const value = { a: [{ b: 1 }], c: null };
    const copy = cloneJson(value);
    expect(copy).toEqual(value);
    expect(copy.a[0]).not.toBe(value.a[0]);
  });

  it('throws JsonDepthError with a path past the limit', () => {
    expect(() => cloneJson(nested(100))).not.toThrow();
    expect(() => cloneJson(nested(101))).toThrow(/nests deeper than 100 levels at \/n\/n/);
    expect(() => cloneJson(nested(5), 3)).toThrow(JsonDepthError);
  });
});

describe('applyJsonPatch', () => {
  it.each<[string, unknown, JsonPatchOperation[]]>([
    ['missing parent', { a: {} }, [{ op: 'add', path: '/x/y', value: 1 }]],
    ['remove missing key', { a: {} }, [{ op: 'remove', path: '/a/b' }]],
    ['bad array index', { a: [1] }, [{ op: 'replace', path: '/a/5', value: 1 }]],
    ['remove root', { a: 1 }, [{ op: 'remove', path: '' }]],
    ['pointer without "/"', { a: 1 }, [{ op: 'add', path: 'a', value: 1 }]],
  ])('rejects %s', (_name, doc, ops) => {
    expect(() => applyJsonPatch(doc, ops)).toThrow(JsonPatchError);
  });

  it('handles array add/remove and "-"', () => {
    expect(applyJsonPatch({ a: [1, 2] }, [{ op: 'add', path: '/a/-', value: 3 }, { op: 'remove', path: '/a/0' }, { op: 'add', path: '/a/0', value: 0 }])).toEqual({ a: [0, 2, 3] });
  });
});

it('encodeJsonPatch is base64 of the JSON', () => {
  const ops: JsonPatchOperation[] = [{ op: 'add', path: '/metadata/annotations/a~1b', value: 'é' }];
  expect(JSON.parse(Buffer.from(encodeJsonPatch(ops), 'base64').toString('utf8'))).toEqual(ops);
});
