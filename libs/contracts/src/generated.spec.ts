import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// Habit 1: one contract source, generated code checked. Needs protoc (Debian: protobuf-compiler).
describe('generated contracts', () => {
  it('match what proto/ generates today', () => {
    const result = spawnSync('bash', [join(__dirname, '..', '..', '..', 'proto', 'generate.sh'), '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
