import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// Habit 6: the gateway serves a supergraph composed at build time; it must match the subgraphs' code.
describe('the composed supergraph', () => {
  it('is what the subgraphs compose to today (run `npm run supergraph:compose` when this fails)', () => {
    const repo = join(__dirname, '..', '..');
    const result = spawnSync(process.execPath, ['-r', join(repo, 'tools', 'register.js'), join(repo, 'gateway', 'src', 'compose.ts'), '--check'], { encoding: 'utf8', cwd: repo });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('supergraph: up to date');
    expect(result.status).toBe(0);
  }, 180_000);
});
