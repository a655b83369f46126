import type { Infrastructure } from '../infra/infrastructure';

export default async function globalTeardown(): Promise<void> {
  const infra = (globalThis as { __prescientInfra?: Infrastructure }).__prescientInfra;
  await infra?.stop();
}
