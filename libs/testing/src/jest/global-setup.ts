// placeholder replaced below
export default async function globalSetup(): Promise<void> {}
