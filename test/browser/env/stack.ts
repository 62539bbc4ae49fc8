// Everything the specs (and npm run preview) run against, started in order: the host bundle, the
// database, the test host (fake Grafana) on a port chosen first so its signing issuer and JWKS URL
// are known, then the real refresh service pointed at that JWKS, then the app's settings as
// provisioning would store them (service URL and both secrets).
import { join } from 'node:path';
import { freePort } from '../../harness/freePort';
import { REPO_ROOT } from '../../harness/runMigrations';
import { buildHostBundle } from '../client/build';
import { createIdTokenSigner } from '../host/idTokens';
import { readPluginCatalog } from '../host/pluginCatalog';
import { startHost, type Host } from '../host/server';
import { SettingsStore, type StoredPluginSetting } from '../host/settingsStore';
import { startSpecDatabase, type SpecDatabase } from './database';
import { ADMIN_SECRET, READ_SECRET } from './secrets';
import { serviceProcess, type ServiceProcess } from './serviceProcess';

export interface Stack {
  host: Host;
  db: SpecDatabase;
  service: ServiceProcess;
  settings: SettingsStore;
  /** The settings provisioning gives the app: enabled, the service URL and both secrets. */
  provisioned: StoredPluginSetting;
  stop(): Promise<void>;
}

export interface StackOptions {
  salesScale: number;
  banner: string;
  hostPort?: number;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const catalog = readPluginCatalog(join(REPO_ROOT, 'plugin', 'dist'));
  const [clientDir, db] = await Promise.all([buildHostBundle(), startSpecDatabase({ salesScale: options.salesScale })]);
  let host: Host | undefined;
  let service: ServiceProcess | undefined;
  try {
    const hostPort = options.hostPort ?? (await freePort());
    const hostUrl = `http://127.0.0.1:${hostPort}`;
    const signer = await createIdTokenSigner(`${hostUrl}/`);
    const settings = new SettingsStore();
    host = await startHost({ catalog, settings, signer, clientDir, port: hostPort, banner: options.banner });
    service = serviceProcess({
      DATABASE_URL: db.serviceUrl,
      PORT: String(await freePort()),
      READ_SECRET,
      ADMIN_SECRET,
      GRAFANA_JWKS_URL: `${hostUrl}/api/signing-keys/keys`,
      GRAFANA_ID_ISSUER: signer.issuer,
      GRAFANA_ID_AUDIENCE: signer.audience(1),
    });
    await service.start();
    const provisioned: StoredPluginSetting = {
      enabled: true,
      pinned: true,
      jsonData: { serviceUrl: service.url },
      secureJsonData: { readSecret: READ_SECRET, adminSecret: ADMIN_SECRET },
    };
    settings.provision(provisioned);
    const started = { host, service };
    return {
      host,
      db,
      service,
      settings,
      provisioned,
      stop: async () => {
        await started.service.stop().catch(() => undefined);
        await started.host.close().catch(() => undefined);
        db.cluster.stop();
      },
    };
  } catch (err) {
    await service?.stop().catch(() => undefined);
    await host?.close().catch(() => undefined);
    db.cluster.stop();
    throw err;
  }
}
