import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The alert rules ship with tests; promtool (Debian: prometheus) is the judge.
describe('Prometheus rules', () => {
  const run = (args: string[]) => spawnSync('promtool', args, { encoding: 'utf8', cwd: __dirname });

  it('are valid', () => {
    const result = run(['check', 'rules', join('rules', 'prescient-prediction.rules.yml')]);
    expect(result.error).toBeUndefined();
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('pass their unit tests (promtool test rules)', () => {
    const result = run(['test', 'rules', join('tests', 'prescient-prediction.rules.test.yml')]);
    expect(result.error).toBeUndefined();
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
