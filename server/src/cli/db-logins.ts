// npm run db:logins [-- --only sales|platform] [--sales-login NAME] [--platform-login NAME] [--service-login NAME]
//   [--database-url URL]
// npm run db:logins -- --tenant NAME --user UUID [--database-url URL]
// Creates or updates the read-only logins Grafana's data sources connect as (the roles are migration 0096's):
// grafana_sales (matviewops_sales_reader) and grafana_platform (matviewops_platform_reader, bound to a super
// admin), or one tenant organisation's login bound to one of its users; with --service-login also the refresh
// service's login (mv_ops_operator, SERVICE_LOGIN_PASSWORD). Idempotent; never prints a password.
import { Client } from 'pg';
import { describeConnectionError, describeTarget } from '../db/connectionErrors';
import { ensureBinding, ensureLogin, loginNameProblem } from '../logins/roles';
import { readSecret } from '../logins/secrets';
import { parseOptions, resolveUser, targetsFrom } from '../logins/targets';

async function main(): Promise<number> {
  const problems: string[] = [];
  const options = parseOptions(process.argv.slice(2), problems);
  const targets = options ? targetsFrom(options, problems) : [];
  const databaseUrl = options?.['database-url'] || process.env.DATABASE_URL;
  if (!databaseUrl) {
    problems.push(
      'no database given: set DATABASE_URL (an owner or superuser, as for db:migrate) or pass --database-url'
    );
  }
  for (const t of targets) {
    const secret = readSecret(t.passwordVar, process.env);
    if (secret.ok) {
      t.password = secret.value;
    } else {
      problems.push(secret.problem);
    }
  }
  // Every password is scrubbed from anything printed, should a message ever quote one.
  const secrets = targets.flatMap((t) => (t.password ? [t.password] : []));
  const say = (write: (line: string) => void, line: string): void =>
    write(secrets.reduce((text, s) => text.split(s).join('[password]'), line));
  const fail = (code: number, lines: string[]): number => {
    lines.forEach((line) => say(console.error, line));
    return code;
  };
  if (!databaseUrl || targets.length === 0) {
    return fail(2, problems);
  }

  const client = new Client({ connectionString: databaseUrl });
  try {
    await client.connect();
  } catch (err) {
    return fail(problems.length ? 2 : 1, [...problems, describeConnectionError(err, describeTarget(databaseUrl))]);
  }
  try {
    const missing = await client.query(
      `SELECT r FROM unnest($1::text[]) r WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r)`,
      [[...new Set(targets.map((t) => t.memberOf))]]
    );
    if (missing.rowCount) {
      const names = missing.rows.map((r) => r.r).join(', ');
      return fail(1, [`role(s) ${names} do not exist in ${describeTarget(databaseUrl)}: run npm run db:migrate first`]);
    }
    for (const t of targets) {
      const nameProblem = await loginNameProblem(client, t.name, t.flag);
      if (nameProblem) {
        problems.push(nameProblem);
      }
      if (t.bind) {
        const user = await resolveUser(client, t);
        if (typeof user === 'string') {
          problems.push(user);
        } else {
          t.user = user;
        }
      }
    }
    if (problems.length) {
      return fail(2, problems);
    }
    const report: string[] = [];
    const warnings: string[] = [];
    // All or nothing: role changes and bindings commit together.
    await client.query('BEGIN');
    for (const t of targets) {
      const result = await ensureLogin(client, t.name, t.memberOf, t.password ?? '');
      const binding = t.user ? await ensureBinding(client, t.name, t.user) : null;
      const changes = [...result.changes, ...(binding ? [binding] : [])];
      const bound = t.user && !binding ? ` (acts as ${t.user.email}, ${t.user.role})` : '';
      report.push(`${t.name}: ${changes.length ? changes.join('; ') : 'unchanged'}${bound}`);
      warnings.push(...result.warnings);
      if (t.password?.includes('$')) {
        warnings.push(
          `the password of ${t.name} contains "$": Grafana's provisioning expands $NAME in values, so prefer one without "$"`
        );
      }
    }
    await client.query('COMMIT');
    report.forEach((line) => say(console.log, line));
    warnings.forEach((line) => say(console.error, `warning: ${line}`));
    return 0;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    return fail(1, [`db:logins failed, nothing changed: ${err instanceof Error ? err.message : String(err)}`]);
  } finally {
    await client.end();
  }
}

main().then((code) => process.exit(code));
