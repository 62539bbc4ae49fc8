// A small HTTP endpoint, on its own port and never reachable from the host's pages, through which
// the specs (in Playwright's worker processes) stop and start the refresh service and put the app's
// settings back as provisioning stored them. The stack itself lives in the runner's process.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Stack } from './stack';

export const ENV = {
  hostUrl: 'MATVIEWOPS_BROWSER_HOST_URL',
  controlUrl: 'MATVIEWOPS_BROWSER_CONTROL_URL',
  databaseUrl: 'MATVIEWOPS_BROWSER_DATABASE_URL',
  serviceUrl: 'MATVIEWOPS_BROWSER_SERVICE_URL',
} as const;

export type ControlAction = 'service/stop' | 'service/start' | 'settings/provisioned' | 'settings/unconfigured';

export async function startControl(stack: Stack): Promise<{ url: string; close(): Promise<void> }> {
  const actions: Record<ControlAction, () => Promise<void> | void> = {
    'service/stop': () => stack.service.stop(),
    'service/start': () => stack.service.start(),
    'settings/provisioned': () => stack.settings.provision(stack.provisioned),
    // An enabled app nobody has configured yet: what an admin finds after installing it.
    'settings/unconfigured': () =>
      stack.settings.provision({ enabled: true, pinned: true, jsonData: {}, secureJsonData: {} }),
  };
  const server: Server = createServer((req, res) => {
    const action = (req.url ?? '').slice(1) as ControlAction;
    if (req.method !== 'POST' || !Object.hasOwn(actions, action)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    Promise.resolve(actions[action]()).then(
      () => {
        res.statusCode = 204;
        res.end();
      },
      (err: Error) => {
        res.statusCode = 500;
        res.end(err.message);
      }
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** For the specs: asks the runner's process to do one of the actions above. */
export async function control(action: ControlAction): Promise<void> {
  const url = process.env[ENV.controlUrl];
  if (!url) {
    throw new Error(`${ENV.controlUrl} is not set: run the browser specs with npm run test:browser`);
  }
  const res = await fetch(`${url}/${action}`, { method: 'POST' });
  if (res.status !== 204) {
    throw new Error(`control ${action} failed: ${res.status} ${await res.text()}`);
  }
}
