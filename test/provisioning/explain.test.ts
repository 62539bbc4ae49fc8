// Panels, variables, annotations and alert rules read the views, never the source: EXPLAIN of every prepared
// query, as the data source's login, has no scan of pos.lengolf_sales (or its indexes) and no call of a _live
// function; neither do the bodies of the functions it calls (EXPLAIN cannot see inside plpgsql), nor the plain
// views those read. The drift rule is exempt: its job is to compare the views with the source.
import { buildCases, loadQueries, Preparer } from './support/cases';
import { openSeededDatabase, type SeededDb } from './support/database';
import type { SqlQuery } from './support/dashboards';
import { LIVE_TAIL, sourceReads } from './support/plan';
import { nestedPlans, type PlanNode } from '../harness/nestedPlans';

jest.setTimeout(300_000);

/** The drift alert rule, by its uid: the one query exempt. */
const DRIFT_UID = 'matviewops-sales-drift';
const isDrift = (q: SqlQuery): boolean => q.kind === 'alert' && q.rule?.uid === DRIFT_UID;

const queries = loadQueries();
const cases = buildCases(queries.filter((q) => !isDrift(q)));

const SALES_UID = 'matviewops-sales';
/** Live-tail functions reached by any query above (filled by the sweep, read after it). */
const tailsReached = new Set<string>();

let seeded: SeededDb;
let prepare: Preparer;

beforeAll(async () => {
  seeded = await openSeededDatabase('prov_explain');
  prepare = new Preparer(seeded, queries);
});
afterAll(() => seeded?.close());

test("there are queries to check, and exactly one is left out: the drift rule's", () => {
  expect(cases.length).toBeGreaterThan(0);
  const exempt = queries.filter(isDrift);
  expect(exempt.map((q) => ({ kind: q.kind, rule: q.rule?.uid }))).toEqual([{ kind: 'alert', rule: DRIFT_UID }]);
  expect(cases.some((c) => isDrift(c.q))).toBe(false);
});

test.each(cases.map((c) => [c.name, c] as const))(
  '%s reads only views: no pos.lengolf_sales, no _live',
  async (_n, c) => {
    const sql = await prepare.sql(c);
    const report = await sourceReads(seeded.login(c.q.datasourceUid), seeded.owner, sql);
    report.tails.forEach((t) => tailsReached.add(t));
    expect({ sql, problems: report.problems }).toEqual({ sql, problems: [] });
  }
);

describe("zero-lag reads' live tail: allowed, and exactly an index range on the current local date", () => {
  test('the sales dashboard reaches the live tail (zero-lag reads are on): those two functions, nothing else of the source', () => {
    expect([...tailsReached].sort()).toEqual([...LIVE_TAIL].sort());
  });

  test.each(LIVE_TAIL)(
    '%s, as executed (auto_explain of its nested statements), reads pos.lengolf_sales only through index ranges on the date',
    async (tail) => {
      const plans = await nestedPlans(seeded.owner, `SELECT * FROM ${tail}(pos.live_tail_day())`);
      const scans: string[] = [];
      const visit = (n: PlanNode): void => {
        const index = String(n['Index Name'] ?? '');
        if (n['Relation Name'] === 'lengolf_sales' || index.startsWith('idx_lengolf_sales')) {
          scans.push(`${n['Node Type']}|${index}|${String(n['Index Cond'] ?? n['Recheck Cond'] ?? '')}`);
        }
        (n.Plans ?? []).forEach(visit);
      };
      plans.forEach((p) => visit(p.plan));
      expect(scans.length).toBeGreaterThan(0);
      for (const scan of scans) {
        expect(scan).toMatch(/^(Bitmap Index Scan|Index Scan|Index Only Scan|Bitmap Heap Scan)\|/);
        expect(scan).toMatch(/\(?date = /);
      }
    }
  );

  test('the definer functions refuse any day but today, so a reader cannot widen the tail', async () => {
    const login = seeded.login(SALES_UID);
    for (const tail of LIVE_TAIL) {
      await expect(login.query(`SELECT * FROM ${tail}(pos.live_tail_day() - 1)`)).rejects.toThrow(
        /zero-lag reads are for today/
      );
    }
  });
});

describe('the check catches what it looks for (run as the owner, who may read the source)', () => {
  const problemsOf = async (sql: string): Promise<string[]> =>
    (await sourceReads(seeded.owner, seeded.owner, sql)).problems;

  test('a sequential or index scan of pos.lengolf_sales', async () => {
    expect(await problemsOf(`SELECT sum(sales_net) FROM pos.lengolf_sales`)).toEqual([
      expect.stringMatching(/^plan: (Seq Scan|Index Only Scan|Bitmap Heap Scan) on pos\.lengolf_sales$/),
    ]);
    await seeded.owner.query('SET enable_seqscan = off');
    try {
      const problems = await problemsOf(`SELECT count(*) FROM pos.lengolf_sales WHERE date = '2025-06-14'`);
      expect(problems.join('\n')).toMatch(/lengolf_sales/);
    } finally {
      await seeded.owner.query('RESET enable_seqscan');
    }
  });

  test('a _live function called from the SQL', async () => {
    const problems = await problemsOf(
      `SELECT pos.get_dashboard_summary_live('2025-06-01', '2025-06-07', '2025-05-25', '2025-05-31')`
    );
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringContaining('SQL calls pos.get_dashboard_summary_live(')])
    );
  });

  test('a plpgsql or SQL function whose body calls a _live function or reads the table (EXPLAIN shows neither)', async () => {
    const problems = await problemsOf(
      `SELECT pos.get_dashboard_summary('2025-06-01', '2025-06-07', '2025-05-25', '2025-05-31')`
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('pos.get_dashboard_summary(): its body calls pos.get_dashboard_summary_live('),
        expect.stringMatching(
          /pos\.get_dashboard_summary_live\(\) → pos\.live_days\(\): its body reads pos\.lengolf_sales/
        ),
      ])
    );
    expect(problems.join('\n')).not.toMatch(/^plan:/m);
  });

  test('a view whose definition scans the table (EXPLAIN expands it)', async () => {
    expect((await problemsOf(`SELECT * FROM pos.validation_alert`)).join('\n')).toMatch(/lengolf_sales/);
  });

  test('the views-only report function passes', async () => {
    expect(
      await problemsOf(
        `SELECT pos.get_dashboard_summary_enhanced_mv('2025-06-01', '2025-06-07', '2025-05-25', '2025-05-31')`
      )
    ).toEqual([]);
  });
});
