// sql/schema.sql's content: `pg_dump --schema-only` of the project's schemas in a migrated database, made
// deterministic and readable (no version banner, SET lines, owners or restrict keys; no node-pg-migrate
// bookkeeping, extension objects or date-named partitions), with the roles the objects are granted to.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

export const SCHEMA_FILE = resolve(__dirname, '../../../sql/schema.sql');
export const SCHEMA_COMMAND = 'npm run db:schema';

// node-pg-migrate's bookkeeping table, as migrate.ts names it (not imported from there: node-pg-migrate is ESM-only,
// which the Jest tests that use this module cannot load).
const MIGRATIONS_SCHEMA = 'mv_ops';
const MIGRATIONS_TABLE = 'schema_migrations';

const BIN_DIR_CANDIDATES = [process.env.PG_BIN_DIR, '/usr/lib/postgresql/15/bin'].filter((d): d is string =>
  Boolean(d)
);

/** The PostgreSQL 15 pg_dump (PG_BIN_DIR first, then Debian's), or an error saying what to install. */
export function findPgDump(candidates: string[] = BIN_DIR_CANDIDATES): string {
  const dir = candidates.find((d) => existsSync(join(d, 'pg_dump')));
  if (!dir) {
    throw new Error(
      `pg_dump not found (looked in ${candidates.join(', ')}): apt-get install -y postgresql-15, or set PG_BIN_DIR.`
    );
  }
  return join(dir, 'pg_dump');
}

/** Partitions named after a month (`<table>_y2026m12`): created relative to today, so left out. */
const DATED_PARTITION = '_y[0-9]{4}m[0-9]{2}$';

interface Catalog {
  schemas: string[];
  datedPartitions: Array<{ schema: string; name: string; parent: string }>;
  roles: string[];
}

// Every schema but the system's, those an extension owns (pg_cron's cron) and public while it holds only
// extension objects (PostGIS, pg_stat_statements), which pg_dump would leave out anyway.
const SCHEMAS_SQL = `
SELECT n.nspname FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                  WHERE d.classid = 'pg_catalog.pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
  AND (n.nspname <> 'public' OR EXISTS (
    SELECT 1 FROM (SELECT 'pg_catalog.pg_class'::regclass, oid FROM pg_catalog.pg_class
                   WHERE relnamespace = n.oid AND relkind IN ('r', 'p', 'v', 'm', 'f')
                   UNION ALL SELECT 'pg_catalog.pg_proc'::regclass, oid FROM pg_catalog.pg_proc WHERE pronamespace = n.oid
                   UNION ALL SELECT 'pg_catalog.pg_type'::regclass, oid FROM pg_catalog.pg_type
                   WHERE typnamespace = n.oid AND typrelid = 0 AND typelem = 0) o(classid, objid)
    WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = o.classid AND d.objid = o.objid AND d.deptype = 'e')))
ORDER BY n.nspname COLLATE "C"`;

const PARTITIONS_SQL = `
SELECT n.nspname AS schema, c.relname AS name, format('%I.%I', pn.nspname, p.relname) AS parent
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_inherits i ON i.inhrelid = c.oid
JOIN pg_catalog.pg_class p ON p.oid = i.inhparent
JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
WHERE c.relispartition AND c.relname ~ $2 AND n.nspname = ANY ($1::text[])
ORDER BY n.nspname COLLATE "C", c.relname COLLATE "C"`;

// The roles named in the ACLs of the dumped schemas and their objects (PUBLIC, the owner, superusers and predefined
// pg_ roles aside), and the group roles with a comment that are members of those (0096's platform reader holds
// nothing itself but funeral_tenant): the migrations' roles. A login or an uncommented role a test or an operator
// made is never one. Roles are cluster-wide, so pg_dump of a database has none of them.
const ROLES_SQL = `
WITH ns AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ANY ($1::text[])),
acl AS (
  SELECT nspacl AS a FROM pg_catalog.pg_namespace WHERE oid IN (SELECT oid FROM ns)
  UNION ALL SELECT relacl FROM pg_catalog.pg_class WHERE relnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT at.attacl FROM pg_catalog.pg_attribute at JOIN pg_catalog.pg_class c ON c.oid = at.attrelid
            WHERE c.relnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT proacl FROM pg_catalog.pg_proc WHERE pronamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT typacl FROM pg_catalog.pg_type WHERE typnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT defaclacl FROM pg_catalog.pg_default_acl WHERE defaclnamespace IN (SELECT oid FROM ns)
),
granted AS (
  SELECT r.oid FROM acl CROSS JOIN LATERAL pg_catalog.aclexplode(acl.a) x
  JOIN pg_catalog.pg_roles r ON r.oid = x.grantee
  WHERE acl.a IS NOT NULL AND NOT r.rolsuper AND r.rolname <> current_user AND r.rolname NOT LIKE 'pg\\_%'
),
groups AS (
  SELECT m.member AS oid FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.member
  WHERE m.roleid IN (SELECT oid FROM granted) AND NOT r.rolcanlogin AND NOT r.rolsuper
    AND EXISTS (SELECT 1 FROM pg_catalog.pg_shdescription d
                WHERE d.objoid = r.oid AND d.classoid = 'pg_catalog.pg_authid'::regclass)
)
SELECT r.rolname FROM pg_catalog.pg_roles r
WHERE r.oid IN (SELECT oid FROM granted UNION SELECT oid FROM groups)
ORDER BY r.rolname COLLATE "C"`;

// Each role as the statements that would make it: attributes that differ from CREATE ROLE's defaults (LOGIN or
// NOLOGIN always), its comment, and its memberships in the other roles of the list or in predefined pg_ roles.
const ROLE_STATEMENTS_SQL = `
WITH r AS (SELECT * FROM pg_catalog.pg_roles WHERE rolname = ANY ($1::text[]))
SELECT s FROM (
  SELECT 1 AS part, r.rolname AS k1, '' AS k2,
         format('CREATE ROLE %I %s;', r.rolname, concat_ws(' ',
           CASE WHEN r.rolcanlogin THEN 'LOGIN' ELSE 'NOLOGIN' END,
           CASE WHEN NOT r.rolinherit THEN 'NOINHERIT' END,
           CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END,
           CASE WHEN r.rolcreatedb THEN 'CREATEDB' END,
           CASE WHEN r.rolreplication THEN 'REPLICATION' END,
           CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END,
           CASE WHEN r.rolconnlimit <> -1 THEN 'CONNECTION LIMIT ' || r.rolconnlimit END)) AS s
  FROM r
  UNION ALL
  SELECT 2, r.rolname, '', format('COMMENT ON ROLE %I IS %L;', r.rolname, d.description)
  FROM r JOIN pg_catalog.pg_shdescription d ON d.objoid = r.oid AND d.classoid = 'pg_catalog.pg_authid'::regclass
  UNION ALL
  SELECT 3, g.rolname, r.rolname,
         format('GRANT %I TO %I%s;', g.rolname, r.rolname, CASE WHEN m.admin_option THEN ' WITH ADMIN OPTION' ELSE '' END)
  FROM r JOIN pg_catalog.pg_auth_members m ON m.member = r.oid
  JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
  WHERE g.rolname = ANY ($1::text[]) OR g.rolname LIKE 'pg\\_%'
) x
ORDER BY part, k1 COLLATE "C", k2 COLLATE "C"`;

async function readCatalog(client: Client): Promise<Catalog> {
  const schemas = (await client.query<{ nspname: string }>(SCHEMAS_SQL)).rows.map((r) => r.nspname);
  const datedPartitions = (
    await client.query<{ schema: string; name: string; parent: string }>(PARTITIONS_SQL, [schemas, DATED_PARTITION])
  ).rows;
  const roles = (await client.query<{ rolname: string }>(ROLES_SQL, [schemas])).rows.map((r) => r.rolname);
  return { schemas, datedPartitions, roles };
}

async function roleStatements(client: Client, roles: string[]): Promise<string[]> {
  return (await client.query<{ s: string }>(ROLE_STATEMENTS_SQL, [roles])).rows.map((r) => r.s);
}

/** An exact name as a pg_dump pattern (quoted, so no character is a wildcard and case is kept). */
const exact = (...parts: string[]): string => parts.map((p) => `"${p.replace(/"/g, '""')}"`).join('.');

// pg_dump precedes each object with this block; the preamble before the first and the footer are dropped.
const ENTRY_HEADER = /^--\n-- (Name: .*)\n--\n/gm;
// Session settings pg_dump emits between objects (the preamble's are dropped with it).
const BETWEEN_ENTRIES = /^SET default_(?:tablespace = ''|table_access_method = \w+|with_oids = false);\n/gm;

/** pg_dump's output without what varies between runs or says nothing about the schema, one blank line apart. */
export function normaliseDump(raw: string): string[] {
  const text = raw
    .replace(/\r\n/g, '\n')
    // Random per run (pg_dump 15.14 and later).
    .replace(/^\\(?:un)?restrict \S+\n/gm, '')
    .replace(/\n--\n-- PostgreSQL database dump complete\n--\n[\s\S]*$/, '\n')
    .replace(BETWEEN_ENTRIES, '');
  const headers = [...text.matchAll(ENTRY_HEADER)];
  return headers.map((h, i) => {
    const start = h.index! + h[0].length;
    const end = i + 1 < headers.length ? headers[i + 1].index! : text.length;
    const body = text.slice(start, end).replace(/^\n+/, '').replace(/\s+$/, '');
    // Without owners every header ends with "; Owner: -".
    return `--\n-- ${h[1].replace(/; Owner: -?$/, '')}\n--\n\n${body}\n`;
  });
}

/** Paragraphs as `-- ` comment lines of at most 116 characters, an empty `--` line between paragraphs. */
function commentBlock(paragraphs: string[]): string {
  const lines: string[] = [];
  for (const paragraph of paragraphs) {
    if (lines.length) {
      lines.push('--');
    }
    let line = '--';
    for (const word of paragraph.split(' ')) {
      if (line.length + 1 + word.length > 116 && line !== '--') {
        lines.push(line);
        line = '--';
      }
      line += ` ${word}`;
    }
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

function header(catalog: Catalog): string {
  const parents = [...new Set(catalog.datedPartitions.map((p) => p.parent))];
  return commentBlock([
    'sql/schema.sql: the current definition of every object the migrations in sql/migrations/ create, in one file.',
    `GENERATED by \`${SCHEMA_COMMAND}\` (server/src/cli/db-schema.ts): DO NOT EDIT BY HAND. After changing or adding ` +
      `a migration, run \`${SCHEMA_COMMAND}\` and commit this file with it; test/foundation/schema-sql.test.ts fails ` +
      'while the two disagree. Databases are built by `npm run db:migrate`, never from this file.',
    `What it is: pg_dump --schema-only --no-owner of the schemas ${catalog.schemas.join(', ')} in a freshly migrated ` +
      'database, with comments and privileges (GRANT/REVOKE), preceded by the roles those privileges name. ' +
      `Left out: node-pg-migrate's ${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}, extension objects (PostGIS; pg_cron ` +
      "and pg_stat_statements where preloaded: 0001_extensions.sql), session SET lines and pg_dump's version banner" +
      (parents.length
        ? `, and the monthly partitions (<table>_yYYYYmMM) of ${parents.join(', ')}, created relative to the ` +
          'current date.'
        : '.'),
  ]);
}

function rolesSection(statements: string[]): string {
  if (!statements.length) {
    return '';
  }
  return (
    '--\n-- Roles (cluster-wide, so not part of a database dump): the ones the privileges below name, with their\n' +
    '-- attributes, comments and memberships among them. The migrations create them.\n--\n\n' +
    statements.join('\n') +
    '\n'
  );
}

/** sql/schema.sql's text for the migrated database at databaseUrl. */
export async function dumpSchema(databaseUrl: string, pgDump: string = findPgDump()): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  let catalog: Catalog;
  let roles: string[];
  try {
    catalog = await readCatalog(client);
    roles = await roleStatements(client, catalog.roles);
  } finally {
    await client.end();
  }
  if (!catalog.schemas.length) {
    throw new Error('the database has no schema of its own: is it migrated?');
  }
  const args = [
    '--schema-only',
    '--no-owner',
    '--no-tablespaces',
    ...catalog.schemas.flatMap((s) => ['--schema', exact(s)]),
    '--exclude-table',
    exact(MIGRATIONS_SCHEMA, MIGRATIONS_TABLE),
    '--exclude-table',
    exact(MIGRATIONS_SCHEMA, `${MIGRATIONS_TABLE}_id_seq`),
    ...catalog.datedPartitions.flatMap((p) => ['--exclude-table', exact(p.schema, p.name)]),
    '--dbname',
    databaseUrl,
  ];
  const { stdout } = await run(pgDump, args, { maxBuffer: 256 * 1024 * 1024 });
  const entries = normaliseDump(stdout);
  if (!entries.length) {
    throw new Error('pg_dump printed no object: is the database migrated?');
  }
  return [header(catalog), rolesSection(roles), ...entries].filter(Boolean).join('\n');
}
