import { availableParallelism } from 'node:os';
import { cgroupCpuQuota, usableCores } from './config';

describe('usableCores', () => {
  it('reads a cgroup v2 cpu.max quota as cores', () => {
    expect(cgroupCpuQuota('200000 100000\n')).toBe(2);
    expect(cgroupCpuQuota('50000 100000')).toBe(0.5);
  });

  it('treats an unlimited, malformed or missing cpu.max as no quota', () => {
    for (const line of ['max 100000', '', 'garbage', '0 100000', '100000 0', undefined]) expect(cgroupCpuQuota(line)).toBeUndefined();
  });

  it('caps the CPUs by the quota, rounded up, and never goes below one', () => {
    const cpus = availableParallelism();
    expect(usableCores(undefined)).toBe(cpus);
    expect(usableCores('max 100000')).toBe(cpus);
    expect(usableCores('10000 100000')).toBe(1);
    expect(usableCores(`${cpus * 1000 * 1000} 1000`)).toBe(cpus);
    if (cpus >= 2) expect(usableCores('150000 100000')).toBe(2);
  });
});
