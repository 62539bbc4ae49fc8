// Answers one question about the stack's database for its shell steps, by exit code: 0 yes, 1 no, 2 could not ask.
//   node docker/stack/db-has.mjs sales|funeral|super-admin   (DATABASE_URL, and PGPASSWORD as node-postgres reads it)
import pg from 'pg';

const QUESTIONS = {
  // Does the pack hold data (the seed step keeps it, unless told otherwise)?
  sales: 'SELECT EXISTS (SELECT 1 FROM pos.lengolf_sales) AS yes',
  funeral: 'SELECT EXISTS (SELECT 1 FROM funeral.organizations) AS yes',
  // Is there a platform super admin for npm run db:logins to bind grafana_platform to?
  'super-admin': `SELECT EXISTS (SELECT 1 FROM funeral.users WHERE role = 'super_admin') AS yes`,
};

const question = process.argv[2];
if (!Object.hasOwn(QUESTIONS, question)) {
  console.error(`usage: node docker/stack/db-has.mjs ${Object.keys(QUESTIONS).join('|')}`);
  process.exit(2);
}
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
try {
  await client.connect();
  const { rows } = await client.query(QUESTIONS[question]);
  process.exitCode = rows[0].yes ? 0 : 1;
} catch (err) {
  console.error(`db-has ${question}: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
} finally {
  await client.end().catch(() => undefined);
}
