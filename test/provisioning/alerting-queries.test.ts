// The alert rules against a real database, evaluated the way Grafana would: each rule's SQL (read from the generated
// file) runs as the sales & operations data source's role, its rows become numbers with labels, and the rule's own
// generated expression model decides which instances fire. Views are made stale with mv_ops.clock_offset, broken with
// a failing refresh, made to drift with a change that bypasses change tracking, and the scheduler is stopped by
// moving the clock past the last tick.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Pool, type Client } from 'pg';
import { parse as parseYaml } from 'yaml';
import type { FileRule } from '../../provisioning/src/alerting';
import { tickOnce } from '../../server/src/refresh/tick';
import { salesSeeder } from '../../server/src/seed/sales';
import { callRefresh, installThreeTier } from '../fixtures/threeTier';
import { openTestDatabase, type TestDb } from '../harness/sql';
import {
  evaluateRule,
  firing,
  type Instance,
  numbersFromTable,
  recordedState,
  renderTemplate,
} from './alerting-evaluator';

jest.setTimeout(180_000);

const file = parseYaml(readFileSync(path.resolve(__dirname, '../../provisioning/alerting/matviewops.yaml'), 'utf8'));
const rules: FileRule[] = file.groups.flatMap((g: { rules: FileRule[] }) => g.rules);
const rule = (uid: string): FileRule => {
  const r = rules.find((x) => x.uid === uid);
  if (!r) {
    throw new Error(`no rule ${uid} in the generated file`);
  }
  return r;
};
const STALE = rule('matviewops-freshness-stale');
const FAILING = rule('matviewops-freshness-failing');
const DRIFT = rule('matviewops-sales-drift');
const NO_SCHEDULER = rule('matviewops-no-scheduler');

const sqlOf = (r: FileRule): string =>
  String((r.data.find((q) => q.datasourceUid !== '__expr__')!.model as any).rawSql);

/** The role the sales & operations data source's login is granted (migration 0096). */
const DATASOURCE_ROLE = 'matviewops_sales_reader';

/** Runs a rule's query as the data source's role and returns its rows as Grafana's numbers, checking the shape. */
async function numbersFor(c: Client, r: FileRule) {
  await c.query('BEGIN');
  try {
    await c.query(`SET LOCAL ROLE ${DATASOURCE_ROLE}`);
    const result = await c.query(sqlOf(r));
    return numbersFromTable(result);
  } finally {
    await c.query('ROLLBACK');
  }
}

async function evaluate(c: Client, r: FileRule): Promise<Instance[]> {
  return evaluateRule(r, { A: await numbersFor(c, r) });
}

/** Every firing instance's summary and description rendered, so a template naming a missing label fails here. */
function rendered(r: FileRule, instances: Instance[]): string[] {
  return instances
    .filter((i) => i.state === 'Alerting')
    .flatMap((i) => ['summary', 'description'].map((k) => renderTemplate(r.annotations[k], i.labels, i.values)));
}

const setClock = (c: Client, offset: string) =>
  c.query(`SELECT set_config('mv_ops.clock_offset', $1, false)`, [offset]);

describe('freshness rules (three-tier fixture; every other managed view paused)', () => {
  let db: TestDb;
  let c: Client;

  beforeAll(async () => {
    db = await openTestDatabase('alert_freshness');
    c = await db.session();
    await installThreeTier(c);
    // The packs' own views are registered but never refreshed here: paused, they read severity 0.
    await c.query(`SELECT mv_ops.set_enabled(view_name, false) FROM mv_ops.freshness WHERE pack <> 'fx'`);
    await callRefresh(c, `pack => 'fx'`);
  });
  afterEach(() => setClock(c, '0'));
  afterAll(() => db.close());

  test('fresh views: one instance per managed view in each rule, none firing', async () => {
    const stale = await evaluate(c, STALE);
    const failing = await evaluate(c, FAILING);
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM mv_ops.managed_view`);
    expect(stale).toHaveLength(rows[0].n);
    expect(firing(stale)).toEqual([]);
    expect(firing(failing)).toEqual([]);
    expect(stale.every((i) => recordedState(STALE, i) === 'Normal')).toBe(true);
  });

  test('a view whose source changed longer ago than error_after fires the warning rule, alone', async () => {
    await c.query(`INSERT INTO fx.other VALUES (3)`);
    await setClock(c, '150 minutes');
    const stale = await evaluate(c, STALE);
    expect(firing(stale)).toEqual(['pack=fx,read_mode=stored,refresh_mode=full,view=fx.other_mv']);
    expect(firing(await evaluate(c, FAILING))).toEqual([]);
    expect(rendered(STALE, stale)).toEqual([
      'fx.other_mv is stale or has never been refreshed',
      expect.stringMatching(/^mv_ops reports fx\.other_mv \(pack fx\) at freshness severity 2: /),
    ]);
    await setClock(c, '0');
    await callRefresh(c, `views => ARRAY['fx.other_mv']`);
    expect(firing(await evaluate(c, STALE))).toEqual([]);
  });

  test('a failing refresh fires the critical rule for that view alone, under the same labels as before', async () => {
    const before = (await evaluate(c, STALE)).map((i) => i.labels);
    await c.query(`INSERT INTO fx.sale (day, amount, qty) VALUES ('2025-01-13', 1, 0)`);
    await callRefresh(c, `views => ARRAY['fx.daily']`);
    const failing = await evaluate(c, FAILING);
    const stale = await evaluate(c, STALE);
    expect(firing(failing)).toEqual(['pack=fx,read_mode=stored,refresh_mode=full,view=fx.daily']);
    expect(firing(stale)).toEqual([]);
    // The instance keeps its identity: the same label set, in both rules, whatever the state.
    expect(failing.map((i) => i.labels)).toEqual(before);
    expect(stale.map((i) => i.labels)).toEqual(before);
    expect(rendered(FAILING, failing)[0]).toBe('Refreshing fx.daily fails');
  });

  test('a view never refreshed fires the warning rule', async () => {
    await c.query(`
      CREATE MATERIALIZED VIEW fx.newcomer AS SELECT x FROM fx.other WITH NO DATA;
      CREATE UNIQUE INDEX ON fx.newcomer (x);
      SELECT mv_ops.register_view('fx.newcomer', 'fx', 'not refreshed yet', '*/15 * * * *', '30 minutes', '2 hours');`);
    expect(firing(await evaluate(c, STALE))).toEqual(['pack=fx,read_mode=stored,refresh_mode=full,view=fx.newcomer']);
    // fx.daily still fails: the critical rule, not this one.
    expect(firing(await evaluate(c, FAILING))).toEqual(['pack=fx,read_mode=stored,refresh_mode=full,view=fx.daily']);
  });

  test("a zero-lag view's alert carries read_mode zero_lag, and says today's figures stay live (stored rows behind)", async () => {
    // numbersFor runs in a transaction of its own: set up and undo outside one.
    try {
      // As the owner, as a pack marks its views (pos.set_zero_lag_reads for sales).
      await c.query(
        `UPDATE mv_ops.managed_view SET zero_lag = true WHERE schema_name = 'fx' AND view_name = 'other_mv'`
      );
      await c.query(`INSERT INTO fx.other VALUES (4)`);
      await setClock(c, '150 minutes');
      // Earlier tests left other views stale or failing: look at this one's instance.
      const stale = (await evaluate(c, STALE)).find((i) => i.labels.view === 'fx.other_mv')!;
      expect(stale).toMatchObject({
        state: 'Alerting',
        labels: { view: 'fx.other_mv', pack: 'fx', refresh_mode: 'full', read_mode: 'zero_lag' },
      });
      expect(renderTemplate(STALE.annotations.description, stale.labels, stale.values)).toMatch(
        /read mode zero_lag: .*today's figures stay current and this alert concerns the stored rows, i\.e\. earlier days/
      );
      // The failing rule's instance of the view (not firing) has the same labels and explains the same.
      const failing = (await evaluate(c, FAILING)).find((i) => i.labels.view === 'fx.other_mv')!;
      expect(failing.labels).toEqual(stale.labels);
      expect(renderTemplate(FAILING.annotations.description, failing.labels, failing.values)).toMatch(
        /read mode zero_lag: .*this alert concerns the stored rows/
      );
    } finally {
      await setClock(c, '0');
      await c.query(
        `UPDATE mv_ops.managed_view SET zero_lag = false WHERE schema_name = 'fx' AND view_name = 'other_mv'`
      );
      await callRefresh(c, `views => ARRAY['fx.other_mv']`);
    }
  });

  test('an empty registry returns no rows: NoData, recorded OK (nobody is paged)', async () => {
    await c.query('BEGIN');
    try {
      // Readers before the views they read: unregister_view refuses a view other managed views still read.
      await c.query(`DO $$
        DECLARE v text;
        BEGIN
          LOOP
            SELECT mv_ops.qualified_name(m) INTO v FROM mv_ops.managed_view m
            WHERE NOT EXISTS (SELECT 1 FROM mv_ops.view_source s WHERE s.upstream_view_id = m.view_id)
            LIMIT 1;
            EXIT WHEN v IS NULL;
            PERFORM mv_ops.unregister_view(v);
          END LOOP;
        END $$`);
      const { rows } = await c.query(`SELECT count(*)::int AS n FROM mv_ops.managed_view`);
      expect(rows[0].n).toBe(0);
      for (const r of [STALE, FAILING, NO_SCHEDULER]) {
        const { rows: alertRows, fields } = await c.query(sqlOf(r));
        const instances = evaluateRule(r, { A: numbersFromTable({ rows: alertRows, fields }) });
        expect(instances.map((i) => [i.state, recordedState(r, i)])).toEqual([['NoData', 'Normal']]);
      }
    } finally {
      await c.query('ROLLBACK');
    }
  });
});

describe('drift and no-scheduler rules (sales pack seeded)', () => {
  let db: TestDb;
  let c: Client;
  let lastDay: string;

  beforeAll(async () => {
    db = await openTestDatabase('alert_drift');
    c = await db.session();
    await salesSeeder.seed(c, { scale: 0.2, seed: 11, progress: () => undefined });
    const { rows } = await c.query(`SELECT max(date)::text AS d FROM pos.lengolf_sales WHERE NOT is_voided`);
    lastDay = rows[0].d;
  });
  afterEach(() => setClock(c, '0'));
  afterAll(() => db.close());

  /** A sales row of the last day, changed by `sql` (SET ...), through change tracking or around it. */
  async function changeSale(set: string, tracked: boolean): Promise<void> {
    const target = `id = (SELECT min(id) FROM pos.lengolf_sales WHERE NOT is_voided AND date = '${lastDay}')`;
    if (tracked) {
      await c.query(`UPDATE pos.lengolf_sales SET ${set} WHERE ${target}`);
      return;
    }
    // As the owner: the journal trigger off for one statement, as a restore or a replica-mode load would leave it.
    // (Key-tracked since 0107: the key journal is the table's only change journal.)
    await c.query(`ALTER TABLE pos.lengolf_sales DISABLE TRIGGER mv_ops_track_keys_update`);
    try {
      await c.query(`UPDATE pos.lengolf_sales SET ${set} WHERE ${target}`);
    } finally {
      await c.query(`ALTER TABLE pos.lengolf_sales ENABLE TRIGGER mv_ops_track_keys_update`);
    }
  }

  const failedChecks = async () =>
    (
      await c.query(
        `SELECT view_name || ' ' || metric AS check FROM pos.validate_views($1::date - 6, $1::date)
         WHERE result = 'FAIL' ORDER BY 1`,
        [lastDay]
      )
    ).rows.map((r) => r.check);

  test('every alert query has one numeric column, only non-NULL text labels, unique label sets (as the data source role)', async () => {
    for (const r of rules) {
      const numbers = await numbersFor(c, r);
      expect(numbers.length).toBeGreaterThan(0);
    }
    const drift = await numbersFor(c, DRIFT);
    expect(drift.map((n) => n.labels)).toEqual(
      [
        'pos.mv_customer_analytics',
        'pos.mv_customer_daily_visits',
        'pos.mv_daily_sales_summary',
        'pos.mv_monthly_sales_summary',
        'pos.mv_product_performance',
        'pos.mv_weekly_sales_summary',
      ].map((view) => ({ view, pack: 'sales' }))
    );
  });

  test("the drift checks are pos.validate_views' checks: the same rows, clean and after a change", async () => {
    const same = `SELECT count(*)::int AS n FROM (
      (SELECT * FROM pos.drift_checks($1::date - 6, $1::date)
       EXCEPT SELECT view_name, metric, source_value, view_value FROM pos.validate_views($1::date - 6, $1::date))
      UNION ALL
      (SELECT view_name, metric, source_value, view_value FROM pos.validate_views($1::date - 6, $1::date)
       EXCEPT SELECT * FROM pos.drift_checks($1::date - 6, $1::date))) d`;
    expect((await c.query(same, [lastDay])).rows[0].n).toBe(0);
    await c.query('BEGIN');
    try {
      // New customers are where the two compute differently: make one (a phone never seen before), void one.
      await c.query(
        `UPDATE pos.lengolf_sales SET customer_phone_number = ' 0999999999 '
                     WHERE id = (SELECT max(id) FROM pos.lengolf_sales WHERE NOT is_voided AND date = $1)`,
        [lastDay]
      );
      await c.query(
        `UPDATE pos.lengolf_sales SET is_voided = true
                     WHERE id = (SELECT min(id) FROM pos.lengolf_sales WHERE NOT is_voided AND date < $1::date - 6
                                 AND pos.customer_key(customer_phone_number) IS NOT NULL)`,
        [lastDay]
      );
      expect((await failedChecks()).length).toBeGreaterThan(0);
      expect((await c.query(same, [lastDay])).rows[0].n).toBe(0);
    } finally {
      await c.query('ROLLBACK');
    }
  });

  test('views that agree with the source: nothing fires', async () => {
    expect(await failedChecks()).toEqual([]);
    expect(firing(await evaluate(c, DRIFT))).toEqual([]);
  });

  test('a tracked change the views have not seen: they disagree, but that is lag, and drift stays quiet', async () => {
    await changeSale('sales_net = sales_net + 1000', true);
    expect(await failedChecks()).toEqual([
      'mv_daily_sales_summary total_revenue',
      'mv_monthly_sales_summary total_revenue',
      'mv_product_performance total_revenue',
      'mv_weekly_sales_summary total_revenue',
    ]);
    const drift = await evaluate(c, DRIFT);
    expect(drift).toHaveLength(6);
    expect(firing(drift)).toEqual([]);
    await callRefresh(c, `pack => 'sales'`);
    expect(await failedChecks()).toEqual([]);
  });

  test('a change that bypassed change tracking: the view that disagrees fires, and only it', async () => {
    await changeSale('is_sim_usage = 1 - is_sim_usage', false);
    const { rows } = await c.query(
      `SELECT view_name FROM mv_ops.freshness WHERE pack = 'sales' AND lag_seconds > 0 ORDER BY 1`
    );
    expect(rows).toEqual([]); // mv_ops reports nothing unseen
    expect(await failedChecks()).toEqual(['mv_daily_sales_summary sim_usage_count']);
    const drift = await evaluate(c, DRIFT);
    expect(firing(drift)).toEqual(['pack=sales,view=pos.mv_daily_sales_summary']);
    expect(drift.find((i) => i.state === 'Alerting')!.values).toEqual({ A: 1, C: 1 }); // one metric disagrees
    expect(rendered(DRIFT, drift)[0]).toBe(
      'pos.mv_daily_sales_summary disagrees with pos.lengolf_sales although mv_ops reports it up to date'
    );
    // A refresh reads the table as it is now: the view agrees again.
    await callRefresh(c, `pack => 'sales'`);
    expect(firing(await evaluate(c, DRIFT))).toEqual([]);
  });

  test('a compared aggregate emptied behind mv_ops (TRUNCATE, no refresh): drift fires for it, and only it', async () => {
    await c.query('BEGIN');
    try {
      // The sales views are tables since 0101: an empty one is readable, and it disagrees with the source.
      await c.query('TRUNCATE pos.mv_weekly_sales_summary');
      await c.query(`SET LOCAL ROLE ${DATASOURCE_ROLE}`);
      const result = await c.query(sqlOf(DRIFT));
      expect(result.rows.filter((r) => r.mismatched_metrics > 0).map((r) => r.view)).toEqual([
        'pos.mv_weekly_sales_summary',
      ]);
      const states = evaluateRule(DRIFT, { A: numbersFromTable(result) }).map((i) => recordedState(DRIFT, i));
      expect(states.filter((st) => st === 'Alerting')).toHaveLength(1);
    } finally {
      await c.query('ROLLBACK');
    }
  });

  test('no scheduler: fires for each pack once no tick has checked it for longer than the threshold, not before', async () => {
    const threshold = (NO_SCHEDULER.data.find((q) => q.refId === 'C')!.model as any).conditions[0].evaluator.params[0];
    expect(threshold).toBe(900);
    await c.query('CALL mv_ops.run_due()');
    const packs = (await numbersFor(c, NO_SCHEDULER)).map((n) => n.labels.pack).sort();
    expect(packs).toEqual(['funeral', 'sales']);
    expect(firing(await evaluate(c, NO_SCHEDULER))).toEqual([]);
    await setClock(c, '10 minutes');
    expect(firing(await evaluate(c, NO_SCHEDULER))).toEqual([]);
    await setClock(c, '20 minutes');
    const stopped = await evaluate(c, NO_SCHEDULER);
    expect(firing(stopped)).toEqual(['pack=funeral', 'pack=sales']);
    expect(rendered(NO_SCHEDULER, stopped)[0]).toMatch(/^Nothing has checked the funeral pack for 20m \d+s$/);
    // A tick for one pack only clears that pack.
    await c.query(`CALL mv_ops.run_due('sales')`);
    expect(firing(await evaluate(c, NO_SCHEDULER))).toEqual(['pack=funeral']);
  });

  test("no scheduler: the refresh service's tick counts as a scheduler, as pg_cron's job does", async () => {
    await setClock(c, '40 minutes');
    expect(firing(await evaluate(c, NO_SCHEDULER))).toEqual(['pack=funeral', 'pack=sales']);
    // The service's sessions see the same engine clock as this one.
    const pool = new Pool({ connectionString: db.url, options: '-c mv_ops.clock_offset=40min', max: 1 });
    try {
      const log = { info: () => undefined, warn: () => undefined } as unknown as Parameters<typeof tickOnce>[1];
      expect(await tickOnce(pool, log)).toBe('ran');
    } finally {
      await pool.end();
    }
    expect(firing(await evaluate(c, NO_SCHEDULER))).toEqual([]);
  });

  test('no scheduler: a pack whose views are all paused has no instance (nothing is expected to run)', async () => {
    await c.query(`SELECT mv_ops.set_enabled(view_name, false) FROM mv_ops.freshness WHERE pack = 'funeral'`);
    await setClock(c, '2 hours');
    const instances = await evaluate(c, NO_SCHEDULER);
    expect(instances.map((i) => i.labels)).toEqual([{ pack: 'sales' }]);
    expect(firing(instances)).toEqual(['pack=sales']);
  });
});
