import fc from 'fast-check';
import { murmur2, partitionForKey } from './partitioner';
// kafkajs' own murmur2 (the Java client's, ported): the oracle our grouping must agree with.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2: (key: Buffer | string) => number = require('kafkajs/src/producer/partitioners/default/murmur2');

describe('partitionForKey', () => {
  it('matches known values of the Java client (Utils.murmur2 test vectors)', () => {
    // From Apache Kafka's UtilsTest.testMurmur2: the keys and the hashes the Java client computes.
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of cases) expect(murmur2(Buffer.from(key))).toBe(hash);
  });

  it('agrees with kafkajs on any key, so grouped entities land where keyed messages would', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 64 }), (bytes, partitions) => {
        const buffer = Buffer.from(bytes);
        expect(murmur2(buffer)).toBe(kafkajsMurmur2(buffer) | 0);
        expect(partitionForKey(buffer, partitions)).toBe((kafkajsMurmur2(buffer) & 0x7fffffff) % partitions);
      }),
      { numRuns: 2000 },
    );
  });

  it('hashes the UTF-8 bytes of a string key', () => {
    expect(partitionForKey('t-1/3/prod/ns/Deployment/api-ü', 6)).toBe(partitionForKey(Buffer.from('t-1/3/prod/ns/Deployment/api-ü', 'utf8'), 6));
  });

  it('refuses a partition count that is not a positive integer', () => {
    expect(() => partitionForKey('k', 0)).toThrow(/positive integer/);
    expect(() => partitionForKey('k', 1.5)).toThrow(/positive integer/);
  });
});
