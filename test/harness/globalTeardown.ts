// Jest globalTeardown: stops the throwaway cluster and deletes its directory.
export default async function globalTeardown(): Promise<void> {
  globalThis.__MATVIEW_OPS_CLUSTER__?.stop();
  globalThis.__MATVIEW_OPS_CLUSTER__ = undefined;
}
