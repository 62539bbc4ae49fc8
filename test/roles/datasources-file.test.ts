// provisioning/datasources/matviewops.yaml as Grafana 13 reads it: only fields its provisioning format and the
// PostgreSQL data source know (a misspelt key is silently ignored by Grafana), the fixed uids the dashboards use,
// the logins db:logins makes, no secret in the file, and every variable it expands documented in the README.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_LOGINS } from '../../server/src/logins/roles';
import { REPO_ROOT } from '../harness/runMigrations';

const FILE = resolve(REPO_ROOT, 'provisioning/datasources/matviewops.yaml');
const text = readFileSync(FILE, 'utf8');
const doc = parse(text) as { apiVersion: unknown; datasources: Array<Record<string, unknown>> };

// Grafana's apiVersion 1 fields (pkg/services/provisioning/datasources/types.go, upsertDataSourceFromConfigV1,
// plus description in recent releases).
const DATASOURCE_FIELDS = [
  'orgId', 'orgName', 'version', 'name', 'type', 'access', 'url', 'user', 'database', 'basicAuth', 'basicAuthUser',
  'withCredentials', 'isDefault', 'correlations', 'jsonData', 'secureJsonData', 'editable', 'uid', 'description',
]; // prettier-ignore
// The PostgreSQL data source's jsonData: the backend's sqleng.JsonData plus the editor's postgresVersion.
const POSTGRES_JSON_DATA = [
  'maxOpenConns', 'maxIdleConns', 'maxIdleConnsAuto', 'connMaxLifetime', 'connectionTimeout', 'timescaledb',
  'sslmode', 'tlsConfigurationMethod', 'tlsSkipVerify', 'sslRootCertFile', 'sslCertFile', 'sslKeyFile', 'timezone',
  'timeInterval', 'database', 'enableSecureSocksProxy', 'secureSocksProxyUsername', 'allowCleartextPasswords',
  'authenticationType', 'postgresVersion',
]; // prettier-ignore

/** The README section an operator reads to fill these in. */
function readmeSection(): string {
  const readme = readFileSync(resolve(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Grafana data sources and read-only logins\n');
  expect(start).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

describe('provisioning/datasources/matviewops.yaml', () => {
  test('is an apiVersion 1 file with only the datasources list', () => {
    expect(doc.apiVersion).toBe(1);
    expect(Object.keys(doc)).toEqual(['apiVersion', 'datasources']);
  });

  test('declares the two data sources by the fixed uids the dashboards use, with their logins', () => {
    const shape = doc.datasources.map((d) => ({ uid: d.uid, name: d.name, user: d.user }));
    expect(shape).toEqual([
      { uid: 'matviewops-sales', name: 'matview-ops sales & operations', user: DEFAULT_LOGINS.sales },
      { uid: 'matviewops-platform', name: 'matview-ops platform', user: DEFAULT_LOGINS.platform },
    ]);
  });

  test.each(['matviewops-sales', 'matviewops-platform'])('%s uses only fields Grafana knows', (uid) => {
    const ds = doc.datasources.find((d) => d.uid === uid) as Record<string, Record<string, unknown>>;
    expect(Object.keys(ds).filter((k) => !DATASOURCE_FIELDS.includes(k))).toEqual([]);
    expect(Object.keys(ds.jsonData).filter((k) => !POSTGRES_JSON_DATA.includes(k))).toEqual([]);
    expect(Object.keys(ds.secureJsonData)).toEqual(['password']);
  });

  test.each(['matviewops-sales', 'matviewops-platform'])(
    '%s is a read-only provisioned PostgreSQL source in organisation 1 that is not the default',
    (uid) => {
      const ds = doc.datasources.find((d) => d.uid === uid) as Record<string, unknown>;
      expect(ds).toMatchObject({
        type: 'grafana-postgresql-datasource',
        access: 'proxy',
        orgId: 1,
        url: '${MATVIEWOPS_DB_HOST}',
        editable: false,
        jsonData: {
          database: '${MATVIEWOPS_DB_NAME}',
          sslmode: '${MATVIEWOPS_DB_SSLMODE}',
          postgresVersion: 1500,
          maxOpenConns: 10,
          timescaledb: false,
        },
      });
      expect(ds.isDefault ?? false).toBe(false);
      // The deprecated top-level database and any inline password would bypass the variables.
      expect(ds).not.toHaveProperty('database');
      expect(ds).not.toHaveProperty('password');
      expect((ds.secureJsonData as { password: string }).password).toMatch(/^\$\{MATVIEWOPS_[A-Z]+_DB_PASSWORD\}$/);
    }
  );

  test('each password comes from its own variable', () => {
    const passwords = doc.datasources.map((d) => (d.secureJsonData as { password: string }).password);
    expect(passwords).toEqual(['${MATVIEWOPS_SALES_DB_PASSWORD}', '${MATVIEWOPS_PLATFORM_DB_PASSWORD}']);
  });

  test('every variable the file expands is documented in the README section', () => {
    // Grafana expands $NAME, ${NAME} and $__env{NAME} in values; comments are not values but are checked too.
    const used = new Set([...text.matchAll(/\$(?:__env\{|\{)?([A-Za-z_][A-Za-z0-9_]*)\}?/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual([
      'MATVIEWOPS_DB_HOST',
      'MATVIEWOPS_DB_NAME',
      'MATVIEWOPS_DB_SSLMODE',
      'MATVIEWOPS_PLATFORM_DB_PASSWORD',
      'MATVIEWOPS_SALES_DB_PASSWORD',
    ]);
    const section = readmeSection();
    expect([...used].filter((v) => !section.includes(`\`${v}\``))).toEqual([]);
  });

  test('every variable db:logins reads is documented in the same section', () => {
    const source = ['server/src/cli/db-logins.ts', 'server/src/logins/targets.ts']
      .map((f) => readFileSync(resolve(REPO_ROOT, f), 'utf8'))
      .join('\n');
    const read = [
      ...[...source.matchAll(/process\.env\.([A-Z_]+)/g)].map((m) => m[1]),
      ...[...source.matchAll(/passwordVar: '([A-Z_]+)'/g)].flatMap((m) => [m[1], `${m[1]}_FILE`]),
    ];
    expect(read).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'SALES_LOGIN_PASSWORD', 'TENANT_LOGIN_PASSWORD_FILE'])
    );
    const section = readmeSection();
    expect(read.filter((v) => !section.includes(`\`${v}\``))).toEqual([]);
  });
});
