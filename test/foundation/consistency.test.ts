// The stack's parts agree (consistency-checks.ts), and each check is shown to catch what it is for: every test
// below breaks one thing in a copy of the stack's files (a temp dir; the work tree is never written) and expects
// exactly that problem to be named.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../harness/runMigrations';
import { checkStack } from './consistency-checks';
import { filesUnder, loadStack, type Stack } from './consistency-model';

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const load = (root: string): Stack => {
  const stack = loadStack(root);
  made.push(stack.secrets.dir);
  return stack;
};

/** The files the checks read, copied into a temp dir. */
function copyOfStack(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stack-copy-'));
  made.push(dir);
  for (const path of [
    'docker-compose.yml',
    '.env.example',
    'docker',
    'provisioning/datasources',
    'provisioning/plugins',
  ]) {
    cpSync(join(REPO_ROOT, path), join(dir, path), { recursive: true });
  }
  for (const path of [
    ...filesUnder(join(REPO_ROOT, 'provisioning/dashboards'), () => true),
    ...filesUnder(join(REPO_ROOT, 'provisioning/alerting'), (n) => /\.ya?ml$/.test(n)),
    ...filesUnder(join(REPO_ROOT, 'plugin/src'), (n) => n === 'plugin.json'),
  ]) {
    const to = join(dir, path.slice(REPO_ROOT.length + 1));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(path, to);
  }
  return dir;
}

/** Replaces `from` by `to` in one file of the copy, failing if `from` is not there (no vacuous breakage). */
function edit(root: string, file: string, from: string | RegExp, to: string): void {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  const next = text.replace(from, to);
  expect({ file, changed: next !== text }).toEqual({ file, changed: true });
  writeFileSync(path, next);
}

/** The problems of a copy broken by `breakIt`. */
function problemsAfter(breakIt: (root: string) => void): string[] {
  const root = copyOfStack();
  breakIt(root);
  return checkStack(load(root));
}

const COMPOSE = 'docker-compose.yml';

test('the work tree has no problems, and an unbroken copy has none either', () => {
  expect(checkStack(load(REPO_ROOT))).toEqual([]);
  expect(problemsAfter(() => undefined)).toEqual([]);
});

describe('data source uids', () => {
  test('a dashboard panel using a uid nobody provisions', () => {
    const problems = problemsAfter((root) =>
      edit(
        root,
        'provisioning/dashboards/Platform/matviewops-platform.json',
        '"uid": "matviewops-platform"',
        '"uid": "matviewops-platfrom"'
      )
    );
    expect(problems).toEqual([
      'provisioning/dashboards/Platform/matviewops-platform.json uses data source uid matviewops-platfrom, which no provisioning/datasources file provisions',
    ]);
  });

  test('an alert rule querying a uid nobody provisions, and a provisioned uid renamed', () => {
    const problems = problemsAfter((root) => {
      mkdirSync(join(root, 'provisioning/alerting'), { recursive: true });
      writeFileSync(
        join(root, 'provisioning/alerting/extra.yaml'),
        [
          'apiVersion: 1',
          'groups:',
          '  - orgId: 1',
          '    name: extra',
          '    folder: Operations',
          '    interval: 1m',
          '    rules:',
          '      - uid: extra',
          '        title: Extra',
          '        condition: B',
          '        data:',
          '          - { refId: A, datasourceUid: matviewops-nope, model: { rawSql: "SELECT 1" } }',
          '          - { refId: B, datasourceUid: __expr__, model: { type: threshold } }',
          '',
        ].join('\n')
      );
    });
    expect(problems).toEqual([
      'provisioning/alerting/extra.yaml uses data source uid matviewops-nope, which no provisioning/datasources file provisions',
    ]);
    const renamed = problemsAfter((root) =>
      edit(root, 'provisioning/datasources/matviewops.yaml', 'uid: matviewops-sales', 'uid: matviewops-sales-2')
    );
    expect(renamed).toContainEqual(
      'provisioning/dashboards/Sales/matviewops-sales-overview.json uses data source uid matviewops-sales, which no provisioning/datasources file provisions'
    );
  });

  test('a data source of another type than the dashboards expect', () => {
    const problems = problemsAfter((root) =>
      edit(root, 'provisioning/datasources/matviewops.yaml', /type: grafana-postgresql-datasource/, 'type: postgres')
    );
    expect(problems).toContainEqual(
      'provisioning/dashboards/Operations/matviewops-operations.json expects data source matviewops-sales to be grafana-postgresql-datasource, but it is provisioned as postgres'
    );
  });
});

describe('environment variables', () => {
  test('a variable the data source file uses and compose no longer sets (and the one it sets instead)', () => {
    const problems = problemsAfter((root) =>
      edit(root, COMPOSE, 'MATVIEWOPS_DB_HOST: db:5432', 'MATVIEWOPS_DB_HOSTNAME: db:5432')
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'provisioning/datasources/matviewops.yaml (datasources[0].url) uses MATVIEWOPS_DB_HOST, which docker-compose.yml does not give Grafana',
        'docker-compose.yml gives Grafana MATVIEWOPS_DB_HOSTNAME, which no provisioning file uses',
      ])
    );
  });

  test('an app setting whose variable is misspelt in apps.yaml', () => {
    const problems = problemsAfter((root) =>
      edit(root, 'provisioning/plugins/apps.yaml', '${MATVIEWOPS_ADMIN_SECRET}', '${MATVIEWOPS_ADMIN_SECRT}')
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'provisioning/plugins/apps.yaml (apps[0].secureJsonData.adminSecret) uses MATVIEWOPS_ADMIN_SECRT, which docker-compose.yml does not give Grafana',
        "apps.yaml's secureJsonData.adminSecret is not the service's ADMIN_SECRET",
      ])
    );
  });

  test('a $__file{} pointing at a secret the secrets step does not make', () => {
    const problems = problemsAfter((root) => edit(root, COMPOSE, 'matviewops/read_secret}', 'matviewops/read-secret}'));
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^provisioning\/plugins\/apps\.yaml \(apps\[0\]\.secureJsonData\.readSecret\) cannot be expanded by the stack's Grafana: grafana has no file \/run\/secrets\/matviewops\/read-secret/
      )
    );
  });

  test('$__file{} without Compose’s $$ escape (Compose would expand $__file itself, to nothing)', () => {
    const problems = problemsAfter((root) =>
      edit(root, COMPOSE, 'MATVIEWOPS_SALES_DB_PASSWORD: $$__file', 'MATVIEWOPS_SALES_DB_PASSWORD: $__file')
    );
    expect(problems).toContainEqual(
      "provisioning/datasources/matviewops.yaml: data source matviewops-sales's password is not the one logins gives grafana_sales"
    );
  });

  test('a service variable the service does not read, so it would not start', () => {
    const problems = problemsAfter((root) =>
      edit(
        root,
        COMPOSE,
        'READ_SECRET_FILE: /run/secrets/matviewops/read_secret',
        'READ_SECRETS_FILE: /run/secrets/matviewops/read_secret'
      )
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'docker-compose.yml gives refresh-service READ_SECRETS_FILE, which is not a variable the service reads',
        expect.stringMatching(
          /^refresh-service would not start with docker-compose.yml's environment: Invalid configuration:\n {2}- READ_SECRET \(or READ_SECRET_FILE\) is not set/
        ),
      ])
    );
  });

  test('a login step variable db:logins does not read, and a password file that is not made', () => {
    const problems = problemsAfter((root) => {
      edit(root, COMPOSE, 'PLATFORM_LOGIN_PASSWORD_FILE:', 'PLATFORM_PASSWORD_FILE:');
      edit(root, 'docker/secrets/generate.sh', ' grafana_sales_password ', ' ');
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'docker-compose.yml gives logins PLATFORM_PASSWORD_FILE, which npm run db:logins does not read',
        "logins's SALES_LOGIN_PASSWORD_FILE names /run/secrets/matviewops/grafana_sales_password, which the secrets step does not make",
      ])
    );
  });

  test('.env.example missing a variable the service reads', () => {
    const problems = problemsAfter((root) => edit(root, '.env.example', /^ADMIN_SECRET_FILE=\n/m, ''));
    expect(problems).toEqual(['.env.example does not document ADMIN_SECRET_FILE, which the service reads']);
  });
});

describe('plugin ids allowed unsigned', () => {
  test('the nested panel left out', () => {
    const problems = problemsAfter((root) =>
      edit(root, COMPOSE, 'matviewops-app,matviewops-refresh-panel', 'matviewops-app')
    );
    expect(problems).toEqual([
      'plugin/src/refresh-panel/plugin.json declares matviewops-refresh-panel, which GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS does not allow',
    ]);
  });

  test('an app id renamed in plugin.json only', () => {
    const problems = problemsAfter((root) =>
      edit(root, 'plugin/src/plugin.json', '"id": "matviewops-app"', '"id": "matviewops-ops-app"')
    );
    expect(problems).toContainEqual(
      'plugin/src/plugin.json declares matviewops-ops-app, which GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS does not allow'
    );
  });
});

describe('mounted paths', () => {
  test('a provisioning mount whose folder does not exist', () => {
    const problems = problemsAfter((root) => edit(root, COMPOSE, './provisioning:/etc', './provisionin:/etc'));
    expect(problems).toEqual(
      expect.arrayContaining([
        'grafana mounts ./provisionin at /etc/grafana/provisioning, which does not exist in the repository',
        'Grafana does not mount provisioning/ at /etc/grafana/provisioning',
      ])
    );
  });

  test('the plugin mounted under another id than plugin.json’s', () => {
    const problems = problemsAfter((root) =>
      edit(root, COMPOSE, 'plugins/matviewops-app:ro', 'plugins/matview-ops:ro')
    );
    expect(problems).toContainEqual(
      'Grafana does not mount plugin/dist (the built matviewops-app) at /var/lib/grafana/plugins/matviewops-app'
    );
  });

  test('a home dashboard, a dashboard folder and a step script that are not there', () => {
    const problems = problemsAfter((root) => {
      edit(root, COMPOSE, 'Operations/matviewops-operations.json', 'Operations/operations.json');
      edit(
        root,
        'provisioning/dashboards/matviewops.yaml',
        'path: /etc/grafana/provisioning/dashboards',
        'path: /var/lib/grafana/dashboards'
      );
      edit(root, COMPOSE, "'docker/stack/seed.sh'", "'docker/stack/seeds.sh'");
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH /etc/grafana/provisioning/dashboards/Operations/operations.json is nothing Grafana's mounts provide",
        "provisioning/dashboards/matviewops.yaml's dashboard path /var/lib/grafana/dashboards is nothing Grafana's mounts provide",
        'seed runs docker/stack/seeds.sh, which does not exist',
      ])
    );
  });

  test('plugin/dist is accepted unbuilt only while Grafana waits for the build step', () => {
    const problems = problemsAfter((root) =>
      edit(
        root,
        COMPOSE,
        /( {2}grafana:[\s\S]*depends_on:\n)( {6}build:\n {8}condition: service_completed_successfully\n)/,
        '$1'
      )
    );
    // In the copy plugin/dist does not exist (it is never copied): without that dependency, nothing makes it first.
    expect(problems).toContainEqual(
      'grafana mounts ./plugin/dist at /var/lib/grafana/plugins/matviewops-app, which does not exist in the repository'
    );
  });
});

describe('Grafana version', () => {
  test.each([
    [
      'an older Grafana',
      'grafana/grafana:12.4.0',
      "Grafana 12.4.0 does not satisfy plugin/src/plugin.json's grafanaDependency >=13.2.0",
    ],
    [
      'an unpinned tag',
      'grafana/grafana:latest',
      "Grafana's image grafana/grafana:latest is not pinned to a release (grafana/grafana:X.Y.Z)",
    ],
  ])('%s', (_what, image, problem) => {
    const problems = problemsAfter((root) => edit(root, COMPOSE, 'image: grafana/grafana:13.2.2', `image: ${image}`));
    expect(problems).toContainEqual(problem);
  });

  test('a plugin.json asking for more than the pinned image', () => {
    const problems = problemsAfter((root) =>
      edit(
        root,
        'plugin/src/refresh-panel/plugin.json',
        '"grafanaDependency": ">=13.2.0"',
        '"grafanaDependency": ">=13.3.0"'
      )
    );
    expect(problems).toEqual([
      "Grafana 13.2.2 does not satisfy plugin/src/refresh-panel/plugin.json's grafanaDependency >=13.3.0",
    ]);
  });
});

describe('service port, secret header, URL and logins', () => {
  test('the service moved to another port than the app’s URL', () => {
    const problems = problemsAfter((root) => edit(root, COMPOSE, "PORT: '8787'", "PORT: '9000'"));
    expect(problems).toEqual(
      expect.arrayContaining([
        'provisioning/plugins/apps.yaml gives Grafana the service URL "http://refresh-service:8787", not http://refresh-service:9000',
        "refresh-service's health check does not ask /readyz or /healthz on its port 9000",
      ])
    );
  });

  test('another secret header than the routes send', () => {
    const problems = problemsAfter((root) =>
      edit(root, COMPOSE, "TICK_ENABLED: 'false'", "TICK_ENABLED: 'false'\n      SECRET_HEADER: X-Other-Secret")
    );
    expect(problems).toContainEqual(
      'plugin.json route api/refresh sends X-Matview-Ops-Secret, but the service reads its secret from x-other-secret'
    );
  });

  test('a route injecting a secret apps.yaml does not provision', () => {
    const problems = problemsAfter((root) =>
      edit(root, 'plugin/src/plugin.json', '{{ .SecureJsonData.adminSecret }}', '{{ .SecureJsonData.refreshSecret }}')
    );
    expect(problems).toContainEqual(
      "plugin.json route api/refresh sends {{ .SecureJsonData.refreshSecret }}, which apps.yaml's secureJsonData does not set"
    );
  });

  test('the service on localhost only, an actions glob, and identities not required', () => {
    const problems = problemsAfter((root) => {
      edit(root, COMPOSE, '      HOST: 0.0.0.0\n', '');
      edit(
        root,
        COMPOSE,
        'GF_SECURITY_ACTIONS_ALLOW_POST_URL: /api/plugin-proxy/matviewops-app/api/refresh',
        'GF_SECURITY_ACTIONS_ALLOW_POST_URL: /api/plugin-proxy/matviewops-app/*'
      );
      edit(root, COMPOSE, "REQUIRE_VERIFIED_IDENTITY: 'true'", "REQUIRE_VERIFIED_IDENTITY: 'false'");
    });
    expect(problems).toEqual([
      "refresh-service listens on 127.0.0.1 (the default): Grafana's container cannot reach it",
      "GF_SECURITY_ACTIONS_ALLOW_POST_URL is not exactly the app's POST route(s) /api/plugin-proxy/matviewops-app/api/refresh",
      'refresh-service does not require identities verified against http://grafana:3000/api/signing-keys/keys',
    ]);
  });

  test('the service connecting as another login than the one db:logins makes, with another password', () => {
    const problems = problemsAfter((root) => {
      edit(
        root,
        COMPOSE,
        "'docker/stack/logins.sh', 'matviewops_service'",
        "'docker/stack/logins.sh', 'matviewops_refresh'"
      );
      edit(
        root,
        COMPOSE,
        'DATABASE_PASSWORD_FILE: /run/secrets/matviewops/matviewops_service_password',
        'DATABASE_PASSWORD_FILE: /run/secrets/matviewops/postgres_password'
      );
    });
    expect(problems).toEqual([
      'refresh-service connects as matviewops_service, but logins makes matviewops_refresh',
      "refresh-service's DATABASE_PASSWORD_FILE is not the password logins gives matviewops_refresh",
    ]);
  });

  test('a data source connecting as a login db:logins does not make, or to another database', () => {
    const problems = problemsAfter((root) => {
      edit(root, 'provisioning/datasources/matviewops.yaml', 'user: grafana_platform', 'user: grafana_funeral');
      edit(root, COMPOSE, 'MATVIEWOPS_DB_NAME: matview_ops', 'MATVIEWOPS_DB_NAME: postgres');
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'provisioning/datasources/matviewops.yaml: data source matviewops-platform connects as grafana_funeral, which db:logins does not make',
        "provisioning/datasources/matviewops.yaml: data source matviewops-sales points at db:5432/postgres, not the stack's database",
      ])
    );
  });
});
