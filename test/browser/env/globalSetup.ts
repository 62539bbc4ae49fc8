// Playwright globalSetup: the whole stack once per run, in the runner's process; the workers learn
// where everything is from the environment they inherit. The returned function tears it down.
import { BANNER_SPECS } from './banner';
import { ENV, startControl } from './control';
import { startStack } from './stack';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const stack = await startStack({ salesScale: 1, banner: BANNER_SPECS });
  const controlServer = await startControl(stack).catch(async (err) => {
    await stack.stop();
    throw err;
  });
  process.env[ENV.hostUrl] = stack.host.url;
  process.env[ENV.controlUrl] = controlServer.url;
  process.env[ENV.databaseUrl] = stack.db.superuserUrl;
  process.env[ENV.serviceUrl] = stack.service.url;
  // An interrupted run still deletes the cluster (database.ts registers stopOnExit).
  return async () => {
    await controlServer.close();
    await stack.stop();
  };
}
