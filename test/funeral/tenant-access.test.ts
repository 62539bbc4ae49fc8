// The seed's seven access rules, checked as real roles: database logins bound to platform users (how a Grafana
// data source connects), the JWT gateway role with request.jwt.claims (Supabase style), and the anonymous role.
import { Client } from 'pg';
import { installFanout, USER } from '../fixtures/funeralFanout';
import { asRole, errorOf, openTestDatabase, type TestDb } from '../harness/sql';

let db: TestDb;
let owner: Client;
const logins: Record<string, Client> = {};
const suffix = `${process.pid}`;
const LOGIN = {
  alphaAdmin: [`fa_alpha_admin_${suffix}`, USER.alphaAdmin],
  alphaStaff: [`fa_alpha_staff_${suffix}`, USER.alphaStaff],
  betaManager: [`fa_beta_manager_${suffix}`, USER.betaManager],
  superAdmin: [`fa_super_admin_${suffix}`, USER.superAdmin],
} as const;
type Who = keyof typeof LOGIN;

const TENANT_VIEWS = [
  'mv_organization_dashboard',
  'mv_service_performance',
  'mv_location_availability',
  'mv_customer_lifetime_value',
  'mv_realtime_availability',
  'mv_financial_summary',
  'mv_search_index',
];
const STORAGE = TENANT_VIEWS.map((v) => (v === 'mv_realtime_availability' ? 'realtime_availability' : v));

beforeAll(async () => {
  db = await openTestDatabase('funeral_tenants');
  owner = await db.session();
  await installFanout(owner);
  for (const [role, user] of Object.values(LOGIN)) {
    await owner.query(`DROP ROLE IF EXISTS ${role}`);
    await owner.query(`CREATE ROLE ${role} LOGIN IN ROLE funeral_tenant`);
    await owner.query(`INSERT INTO funeral.login_role_binding (role_name, user_id) VALUES ($1, $2)`, [role, user]);
  }
  for (const [who, [role]] of Object.entries(LOGIN)) {
    const url = new URL(db.url);
    url.username = role;
    logins[who] = new Client({ connectionString: url.toString() });
    await logins[who].connect();
  }
});
afterAll(async () => {
  await Promise.all(Object.values(logins).map((c) => c.end()));
  await db.close();
  for (const [role] of Object.values(LOGIN)) {
    await owner.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  }
});

const orgsSeen = async (who: Who, view: string): Promise<string[]> =>
  (await logins[who].query(`SELECT DISTINCT organization_id::text AS o FROM funeral.${view} ORDER BY 1`)).rows.map(
    (r) => r.o
  );
const countAs = async (c: Client, sql: string): Promise<number> =>
  (await c.query(`SELECT count(*)::int AS n FROM ${sql}`)).rows[0].n;

describe('database logins bound to a platform user (one Grafana data source per tenant)', () => {
  test('each login knows who it is', async () => {
    const { rows } = await logins.alphaStaff.query(`SELECT user_id, platform_role, via FROM funeral.current_identity`);
    expect(rows).toEqual([{ user_id: USER.alphaStaff, platform_role: 'provider', via: 'login_role' }]);
    expect((await logins.alphaStaff.query(`SELECT * FROM funeral.get_user_organization_ids() g`)).rows).toEqual([
      { g: '1' },
    ]);
  });

  test.each(['mv_organization_dashboard', 'mv_service_performance', 'mv_location_availability'])(
    'staff of organisation 1 read only organisation 1 in %s, the other tenant only its own',
    async (view) => {
      expect(await orgsSeen('alphaStaff', view)).toEqual(['1']);
      expect(await orgsSeen('betaManager', view)).toEqual(['2']);
    }
  );

  test.each(TENANT_VIEWS)('a super admin reads every row of %s', async (view) => {
    const storage = STORAGE[TENANT_VIEWS.indexOf(view)];
    const all = await countAs(owner, `funeral_mv.${storage}`);
    const expected = view === 'mv_realtime_availability' ? 3 : all; // public rule: active, verified organisations only
    expect(all).toBeGreaterThan(0);
    expect(await countAs(logins.superAdmin, `funeral.${view}`)).toBe(expected);
  });

  test('lifetime value is for super admins only: organisation admins and staff read zero rows', async () => {
    for (const who of ['alphaAdmin', 'alphaStaff', 'betaManager'] as const) {
      expect(await countAs(logins[who], 'funeral.mv_customer_lifetime_value')).toBe(0);
    }
  });

  test('financial summaries: admins and managers see their organisation, staff nothing', async () => {
    expect(await orgsSeen('alphaAdmin', 'mv_financial_summary')).toEqual(['1']);
    expect(await orgsSeen('betaManager', 'mv_financial_summary')).toEqual(['2']);
    expect(await orgsSeen('alphaStaff', 'mv_financial_summary')).toEqual([]);
  });

  test('availability and search are public: tenants see active, verified organisations of others too', async () => {
    expect(await orgsSeen('alphaStaff', 'mv_realtime_availability')).toEqual(['1', '2']);
    expect(await orgsSeen('alphaStaff', 'mv_search_index')).toEqual(['1', '2']);
  });

  test('a bound login cannot become someone else by setting JWT claims', async () => {
    const c = logins.alphaStaff;
    await c.query(`SELECT set_config('request.jwt.claims', $1, false)`, [JSON.stringify({ sub: USER.superAdmin })]);
    try {
      expect((await c.query(`SELECT user_id FROM funeral.current_identity`)).rows).toEqual([
        { user_id: USER.alphaStaff },
      ]);
      expect(await orgsSeen('alphaStaff', 'mv_organization_dashboard')).toEqual(['1']);
    } finally {
      await c.query(`RESET request.jwt.claims`);
    }
  });

  test('a leaky function in the WHERE clause cannot see rows the view hides (security_barrier)', async () => {
    const c = logins.alphaStaff;
    await c.query(`CREATE FUNCTION pg_temp.peek(v bigint) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS
                   $$ BEGIN RAISE NOTICE 'saw %', v; RETURN true; END $$`);
    const seen: string[] = [];
    const onNotice = (n: { message?: string }): void => void seen.push(n.message ?? '');
    c.on('notice', onNotice);
    try {
      await c.query(`SELECT * FROM funeral.mv_organization_dashboard WHERE pg_temp.peek(organization_id)`);
    } finally {
      c.off('notice', onNotice);
    }
    expect(seen).toEqual(['saw 1']);
  });
});

describe('the JWT gateway role (Supabase style: auth.uid() from request.jwt.claims)', () => {
  const asJwt = async <T>(sub: string | null, fn: () => Promise<T>): Promise<T> =>
    asRole(owner, 'funeral_authenticated', async () => {
      if (sub) {
        await owner.query(`SELECT set_config('request.jwt.claims', $1, true)`, [
          JSON.stringify({ sub, role: 'authenticated' }),
        ]);
      }
      return fn();
    });

  test('an organisation admin identified by the sub claim sees only its organisation', async () => {
    await asJwt(USER.alphaAdmin, async () => {
      expect((await owner.query(`SELECT auth.uid() AS uid`)).rows[0].uid).toBe(USER.alphaAdmin);
      const { rows } = await owner.query(
        `SELECT DISTINCT organization_id::text AS o FROM funeral.mv_financial_summary`
      );
      expect(rows).toEqual([{ o: '1' }]);
      expect(await countAs(owner, 'funeral.mv_organization_dashboard WHERE organization_id = 2')).toBe(0);
    });
  });

  test('a super admin by claim reads lifetime value; without claims nothing is readable', async () => {
    await asJwt(USER.superAdmin, async () =>
      expect(await countAs(owner, 'funeral.mv_customer_lifetime_value')).toBe(3)
    );
    await asJwt(null, async () => {
      expect(await countAs(owner, 'funeral.mv_customer_lifetime_value')).toBe(0);
      expect(await countAs(owner, 'funeral.mv_organization_dashboard')).toBe(0);
    });
  });
});

describe('the anonymous role', () => {
  test('reads availability of active, verified organisations only, and the search index', async () => {
    await asRole(owner, 'funeral_anon', async () => {
      const { rows } = await owner.query(
        `SELECT DISTINCT organization_id::text AS o FROM funeral.mv_realtime_availability ORDER BY 1`
      );
      expect(rows).toEqual([{ o: '1' }, { o: '2' }]);
      expect(await countAs(owner, 'funeral.mv_search_index')).toBe(2);
    });
  });

  test.each(TENANT_VIEWS.filter((v) => !['mv_realtime_availability', 'mv_search_index'].includes(v)))(
    'is refused %s',
    async (view) => {
      await asRole(owner, 'funeral_anon', async () => {
        expect((await errorOf(owner.query(`SELECT * FROM funeral.${view}`))).message).toMatch(/permission denied/);
      });
    }
  );
});

describe('no tenant role reads the storage or the source tables directly (defect 004-1)', () => {
  const direct = [
    ...STORAGE.map((v) => `funeral_mv.${v}`),
    'funeral.organizations',
    'funeral.users',
    'funeral.reservations',
    'funeral.payments',
    'funeral.reviews',
    'funeral.availabilities',
    'funeral.services',
    'funeral.locations',
    'funeral.pricing_plans',
    'funeral.organization_users',
    'funeral.reservation_services',
    'funeral.login_role_binding',
    'funeral_mv.caller',
  ];
  test.each(direct)('%s is refused to the bound login, the JWT role and the anonymous role', async (rel) => {
    expect((await errorOf(logins.superAdmin.query(`SELECT 1 FROM ${rel} LIMIT 1`))).message).toMatch(
      /permission denied/
    );
    for (const role of ['funeral_authenticated', 'funeral_anon']) {
      await asRole(owner, role, async () => {
        expect((await errorOf(owner.query(`SELECT 1 FROM ${rel} LIMIT 1`))).message).toMatch(/permission denied/);
      });
    }
  });
});
