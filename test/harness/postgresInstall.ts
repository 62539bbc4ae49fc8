// Finds the PostgreSQL 15 server binaries and the extensions the product needs, so a missing
// package fails the run at once with the exact line that installs it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const APT_INSTALL_LINE = 'apt-get install -y postgresql-15 postgresql-15-cron postgresql-15-postgis-3';

export interface PostgresInstall {
  binDir: string;
}

const BIN_DIR_CANDIDATES = [process.env.PG_BIN_DIR, '/usr/lib/postgresql/15/bin'].filter((d): d is string =>
  Boolean(d)
);

/** What each required piece is, where Debian puts it, and which package ships it. */
export const REQUIRED_FILES = [
  { what: 'pg_cron', path: '/usr/lib/postgresql/15/lib/pg_cron.so', pkg: 'postgresql-15-cron' },
  {
    what: 'PostGIS',
    path: '/usr/share/postgresql/15/extension/postgis.control',
    pkg: 'postgresql-15-postgis-3',
  },
];

/** Where the server binaries are, or an error with the apt-get line when they or an extension are missing. */
export function findPostgresInstall(
  binDirCandidates: string[] = BIN_DIR_CANDIDATES,
  requiredFiles: Array<{ what: string; path: string; pkg: string }> = REQUIRED_FILES
): PostgresInstall {
  const binDir = binDirCandidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'postgres')));
  if (!binDir) {
    throw new Error(
      `PostgreSQL 15 server binaries not found (looked in ${binDirCandidates.join(', ')}).\n` +
        `Install them with:\n  ${APT_INSTALL_LINE}\nor set TEST_DATABASE_URL to use an existing server.`
    );
  }
  const missing = requiredFiles.filter((f) => !existsSync(f.path));
  if (missing.length > 0) {
    throw new Error(
      `Missing PostgreSQL extension(s): ${missing.map((m) => `${m.what} (${m.path})`).join(', ')}.\n` +
        `Install them with:\n  apt-get install -y ${missing.map((m) => m.pkg).join(' ')}\n` +
        `or set TEST_DATABASE_URL to use an existing server.`
    );
  }
  return { binDir };
}
