// What route plugins are handed: built once in app.ts, passed explicitly rather than decorated.
import type { SecretChecker } from './auth/secrets';
import type { IdentityResolver } from './auth/identity';
import type { Config } from './config';
import type { Pools } from './db/pools';
import type { ServiceMetrics } from './metrics/registry';
import type { RunManager } from './refresh/manager';

export interface Deps {
  config: Config;
  pools: Pools;
  runs: RunManager;
  secrets: SecretChecker;
  identity: IdentityResolver;
  metrics: ServiceMetrics;
}

export interface DepsOptions {
  deps: Deps;
}
