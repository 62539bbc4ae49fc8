// Which logins one run of npm run db:logins makes (from its options), and which platform user each acts as.
import { parseArgs } from 'node:util';
import type { Client } from 'pg';
import {
  boundUser,
  DEFAULT_LOGINS,
  findUser,
  firstSuperAdmin,
  OPERATOR_ROLE,
  READER_ROLES,
  UUID,
  type PlatformUser,
} from './roles';

/** One login to create or update, and whom it acts as on the platform. */
export interface Target {
  name: string;
  flag: string;
  memberOf: string;
  passwordVar: string;
  password?: string;
  /** 'super_admin': PLATFORM_SUPER_ADMIN_USER_ID or the first super admin; a uuid: that user. */
  bind?: 'super_admin' | string;
  user?: PlatformUser;
}

const USAGE =
  'usage: npm run db:logins [-- --only sales|platform] [--sales-login NAME] [--platform-login NAME] [--service-login NAME] | [-- --tenant NAME --user UUID]';

/** Every variable db:logins reads (the Compose stack's consistency test checks its step against these). */
export const LOGIN_VARIABLES = [
  'DATABASE_URL',
  ...['SALES', 'PLATFORM', 'TENANT', 'SERVICE'].flatMap((p) => [`${p}_LOGIN_PASSWORD`, `${p}_LOGIN_PASSWORD_FILE`]),
  'PLATFORM_SUPER_ADMIN_USER_ID',
];

const OPTIONS = {
  'database-url': { type: 'string' },
  only: { type: 'string' },
  'sales-login': { type: 'string' },
  'platform-login': { type: 'string' },
  'service-login': { type: 'string' },
  tenant: { type: 'string' },
  user: { type: 'string' },
} as const;
type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

export function parseOptions(args: string[], problems: string[]): Options | null {
  try {
    return parseArgs({ args, options: OPTIONS }).values;
  } catch (err) {
    problems.push(`${err instanceof Error ? err.message : String(err)}; ${USAGE}`);
    return null;
  }
}

export function targetsFrom(values: Options, problems: string[]): Target[] {
  if (values.tenant !== undefined || values.user !== undefined) {
    if (values.tenant === undefined || values.user === undefined) {
      problems.push(`--tenant and --user go together; ${USAGE}`);
      return [];
    }
    if (values.only || values['sales-login'] || values['platform-login'] || values['service-login']) {
      problems.push(
        `--tenant makes one tenant login: --only, --sales-login, --platform-login and --service-login do not apply`
      );
      return [];
    }
    const memberOf = READER_ROLES.platform;
    return [
      { name: values.tenant, flag: '--tenant', memberOf, passwordVar: 'TENANT_LOGIN_PASSWORD', bind: values.user },
    ];
  }
  if (values.only !== undefined && values.only !== 'sales' && values.only !== 'platform') {
    problems.push(`--only must be sales or platform, not ${JSON.stringify(values.only)}`);
    return [];
  }
  const targets: Target[] = [];
  if (values.only !== 'platform') {
    const name = values['sales-login'] ?? DEFAULT_LOGINS.sales;
    targets.push({ name, flag: '--sales-login', memberOf: READER_ROLES.sales, passwordVar: 'SALES_LOGIN_PASSWORD' });
  }
  if (values.only !== 'sales') {
    const name = values['platform-login'] ?? DEFAULT_LOGINS.platform;
    const memberOf = READER_ROLES.platform;
    targets.push({
      name,
      flag: '--platform-login',
      memberOf,
      passwordVar: 'PLATFORM_LOGIN_PASSWORD',
      bind: 'super_admin',
    });
  }
  // The refresh service's login (npm run server's DATABASE_URL): mv_ops_operator only, never a reader's login.
  if (values['service-login'] !== undefined) {
    const name = values['service-login'];
    targets.push({ name, flag: '--service-login', memberOf: OPERATOR_ROLE, passwordVar: 'SERVICE_LOGIN_PASSWORD' });
  }
  const names = targets.map((t) => t.name);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) {
    problems.push(`each login needs its own name (${repeated} is given twice)`);
  }
  return targets;
}

/** The platform user a target acts as, or a problem sentence. */
export async function resolveUser(client: Client, t: Target): Promise<PlatformUser | string> {
  if (t.bind !== 'super_admin') {
    const id = t.bind ?? '';
    if (!UUID.test(id)) {
      return `--user ${JSON.stringify(id)} is not a uuid`;
    }
    return (await findUser(client, id)) ?? `--user ${id} is not a user in funeral.users`;
  }
  const wanted = process.env.PLATFORM_SUPER_ADMIN_USER_ID;
  if (wanted) {
    if (!UUID.test(wanted)) {
      return `PLATFORM_SUPER_ADMIN_USER_ID ${JSON.stringify(wanted)} is not a uuid`;
    }
    const user = await findUser(client, wanted);
    if (!user) {
      return `PLATFORM_SUPER_ADMIN_USER_ID ${wanted} is not a user in funeral.users`;
    }
    return user.role === 'super_admin'
      ? user
      : `PLATFORM_SUPER_ADMIN_USER_ID ${wanted} is a ${user.role}, not a super_admin: ${t.name} must see every organisation`;
  }
  // Keep a binding that still names a super admin rather than moving it to whoever is first now.
  const current = await boundUser(client, t.name);
  if (current?.role === 'super_admin') {
    return current;
  }
  return (
    (await firstSuperAdmin(client)) ??
    `no super_admin in funeral.users to bind ${t.name} to: seed the funeral pack (npm run db:seed -- --pack funeral) or set PLATFORM_SUPER_ADMIN_USER_ID`
  );
}
