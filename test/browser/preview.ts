// npm run preview: the plugin's own pages (views, history, configuration, the refresh panel on a
// dashboard-shaped page) in your browser, without Docker or Grafana: the browser specs' test host,
// a throwaway PostgreSQL with the sales demo data and the specs' two demonstration packs (one view
// that fails, one slow), and the real refresh service. A preview of the plugin, not of Grafana.
import { BANNER_PREVIEW } from './env/banner';
import { startStack } from './env/stack';
import { HOST_USERS, type HostUserKey } from './host/users';

const port = Number(process.env.PREVIEW_PORT ?? 3300);

async function main(): Promise<void> {
  console.log('Starting PostgreSQL, the refresh service and the plugin test host (about half a minute)…');
  const stack = await startStack({ salesScale: 1, banner: BANNER_PREVIEW, hostPort: port });
  const stop = () => {
    console.log('\nStopping…');
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1)
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`\n${BANNER_PREVIEW}\n`);
  for (const key of Object.keys(HOST_USERS) as HostUserKey[]) {
    const u = HOST_USERS[key];
    console.log(`  as ${u.orgRole.padEnd(6)} ${stack.host.url}/login?user=${key}&redirect=/a/matviewops-app/views`);
  }
  console.log(`\nRefresh service: ${stack.service.url}. Press Ctrl-C to stop everything (the database is deleted).`);
}

main().catch((err) => {
  console.error(`The preview could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
