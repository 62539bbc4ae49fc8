// A copy of the PostgreSQL 15 installation that lacks one extension, for tests of what the product says
// when a server has no PostGIS. The server finds its share and lib directories relative to its own
// binary, so copying the binaries and linking everything else (but that extension's files) is enough.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPostgresInstall } from './postgresInstall';

const SHARE_DIR = '/usr/share/postgresql/15';
const LIB_DIR = '/usr/lib/postgresql/15/lib';

export interface PartialInstall {
  binDir: string;
  remove(): void;
}

export function installWithoutExtension(extension: string): PartialInstall {
  const { binDir: realBin } = findPostgresInstall();
  const root = mkdtempSync(join(tmpdir(), `matview-ops-no-${extension}-`));
  const binDir = join(root, 'usr/lib/postgresql/15/bin');
  const shareDir = join(root, 'usr/share/postgresql/15');
  mkdirSync(binDir, { recursive: true });
  mkdirSync(join(shareDir, 'extension'), { recursive: true });
  // Copies, not links: the server resolves links to its binary before locating its share directory.
  for (const bin of ['initdb', 'postgres', 'pg_ctl']) {
    copyFileSync(join(realBin, bin), join(binDir, bin));
    chmodSync(join(binDir, bin), 0o755);
  }
  symlinkSync(LIB_DIR, join(root, 'usr/lib/postgresql/15/lib'));
  for (const entry of readdirSync(SHARE_DIR).filter((e) => e !== 'extension')) {
    symlinkSync(join(SHARE_DIR, entry), join(shareDir, entry));
  }
  for (const file of readdirSync(join(SHARE_DIR, 'extension')).filter((f) => !f.startsWith(extension))) {
    symlinkSync(join(SHARE_DIR, 'extension', file), join(shareDir, 'extension', file));
  }
  // The server runs as the postgres user when the tests run as root.
  for (const dir of [
    root,
    join(root, 'usr'),
    join(root, 'usr/lib'),
    join(root, 'usr/lib/postgresql'),
    join(root, 'usr/lib/postgresql/15'),
    binDir,
    join(root, 'usr/share'),
    join(root, 'usr/share/postgresql'),
    shareDir,
    join(shareDir, 'extension'),
  ]) {
    chmodSync(dir, 0o755);
  }
  return { binDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
