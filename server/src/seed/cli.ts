// npm run db:seed -- --pack sales|funeral|all --scale N [--seed S] [--end-today] [--database-url URL]
// --end-today: the sales data ends today in the venue's time zone instead of 2025-07-06 (the Compose stack uses it,
// so the dashboards' default time ranges show data); the funeral pack is relative to today either way.
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { describeConnectionError, describeTarget } from '../db/connectionErrors';
import { seeders } from './packs';

const USAGE = `Usage: npm run db:seed -- --pack sales|funeral|all [--scale N] [--seed S] [--end-today] [--database-url URL]

  --pack NAME          the pack to seed, or all
  --scale N            data volume, > 0 and <= 1000 (default 1: the seed document's volume)
  --seed S             an integer choosing another deterministic data set (default 42)
  --end-today          the sales data ends today in the venue's time zone (default: 2025-07-06)
  --database-url URL   the database (or DATABASE_URL)
  --help               this text

Seeding replaces the pack's source data and refreshes its views.`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        pack: { type: 'string' },
        scale: { type: 'string', default: '1' },
        seed: { type: 'string', default: '42' },
        'end-today': { type: 'boolean', default: false },
        'database-url': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    // An unknown or malformed option: say which, and how to call it, not a stack trace.
    console.error(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  const known = Object.keys(seeders);
  const packs = values.pack === 'all' ? known : values.pack ? [values.pack] : [];
  const scale = Number(values.scale);
  const seed = Number(values.seed);
  if (!databaseUrl) {
    console.error('No database given: set DATABASE_URL or pass --database-url');
    return 2;
  }
  if (packs.length === 0 || packs.some((p) => !known.includes(p))) {
    console.error(`--pack must be one of: ${[...known, 'all'].join(', ')}`);
    return 2;
  }
  if (!Number.isFinite(scale) || scale <= 0 || scale > 1000) {
    console.error('--scale must be a number greater than 0 and at most 1000');
    return 2;
  }
  if (!Number.isInteger(seed)) {
    console.error('--seed must be an integer');
    return 2;
  }
  const client = new Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (err) {
    console.error(describeConnectionError(err, describeTarget(databaseUrl)));
    return 1;
  }
  try {
    for (const pack of packs) {
      const started = Date.now();
      const result = await seeders[pack].seed(client, {
        scale,
        seed,
        endToday: values['end-today'],
        progress: (line) => console.log(line),
      });
      const summary = Object.entries(result.rows)
        .map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`)
        .join(', ');
      console.log(`${pack}: seeded in ${((Date.now() - started) / 1000).toFixed(1)} s: ${summary}`);
    }
    return 0;
  } catch (err) {
    console.error(`Seeding failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await client.end();
  }
}

main().then((code) => process.exit(code));
