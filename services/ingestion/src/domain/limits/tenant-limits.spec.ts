import { DEFAULT_TENANT_LIMITS, TenantLimitsError, validateTenantLimits } from './index';

function issues(input: unknown): { field: string; message: string }[] {
  try {
    validateTenantLimits(input, DEFAULT_TENANT_LIMITS, 'acme');
  } catch (error) {
    if (error instanceof TenantLimitsError) return error.issues.map((issue) => ({ ...issue }));
    throw error;
  }
  return [];
}

describe('validateTenantLimits', () => {
  it('takes missing fields from the defaults (Mimir: 150k series, 10k samples/s, burst 200k, 20 min)', () => {
    expect(validateTenantLimits({})).toEqual({ maxActiveSeries: 150_000, maxSamplesPerSecond: 10_000, burstSamples: 200_000, activeWindowMinutes: 20 });
    expect(validateTenantLimits({ maxActiveSeries: 10 })).toEqual({ ...DEFAULT_TENANT_LIMITS, maxActiveSeries: 10 });
    expect(validateTenantLimits({ maxSamplesPerSecond: 0.5 }).maxSamplesPerSecond).toBe(0.5);
  });

  it.each([
    [{ maxActiveSeries: 0 }, 'maxActiveSeries', 'must be an integer from 1 to 100000000, got 0'],
    [{ maxActiveSeries: 1.5 }, 'maxActiveSeries', 'must be an integer from 1 to 100000000, got 1.5'],
    [{ maxActiveSeries: '100' }, 'maxActiveSeries', 'must be an integer from 1 to 100000000, got "100"'],
    [{ maxSamplesPerSecond: 0 }, 'maxSamplesPerSecond', 'must be a number greater than 0 and at most 1000000000, got 0'],
    [{ maxSamplesPerSecond: Infinity }, 'maxSamplesPerSecond', 'must be a number greater than 0 and at most 1000000000, got Infinity'],
    [{ maxSamplesPerSecond: NaN }, 'maxSamplesPerSecond', 'must be a number greater than 0 and at most 1000000000, got NaN'],
    [{ burstSamples: -1 }, 'burstSamples', 'must be an integer from 1 to 1000000000000, got -1'],
    [{ activeWindowMinutes: 0 }, 'activeWindowMinutes', 'must be an integer from 1 to 1440, got 0'],
    [{ activeWindowMinutes: 1441 }, 'activeWindowMinutes', 'must be an integer from 1 to 1440, got 1441'],
    [{ activeWindowMinutes: null }, 'activeWindowMinutes', 'must be an integer from 1 to 1440, got null'],
    [{ maxSeries: 5 }, 'limits', 'unknown field "maxSeries"; expected maxActiveSeries, maxSamplesPerSecond, burstSamples, activeWindowMinutes'],
  ])('refuses %j', (input, field, message) => {
    expect(issues(input)).toEqual([{ field, message }]);
  });

  it('refuses non-objects', () => {
    expect(issues([])).toEqual([{ field: 'limits', message: 'must be an object, got a list' }]);
    expect(issues(7)).toEqual([{ field: 'limits', message: 'must be an object, got 7' }]);
  });

  it('lists every bad field, naming the tenant', () => {
    expect(() => validateTenantLimits({ maxActiveSeries: -5, burstSamples: 0.5 }, DEFAULT_TENANT_LIMITS, 'acme')).toThrow(
      'invalid limits for tenant "acme": maxActiveSeries: must be an integer from 1 to 100000000, got -5; ' +
        'burstSamples: must be an integer from 1 to 1000000000000, got 0.5',
    );
  });
});
