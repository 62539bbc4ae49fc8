import type { Client } from 'pg';
import { installFanout, USER } from '../fixtures/funeralFanout';
import { differenceSql, REFERENCE } from '../fixtures/funeralReference';
import { openTestDatabase, type TestDb } from '../harness/sql';

jest.setTimeout(60_000);

let db: TestDb;
let c: Client;

beforeAll(async () => {
  db = await openTestDatabase('funeral_views');
  c = await db.session();
  // The references' estimates are large (many partitions); JIT would compile for seconds what runs in milliseconds.
  await c.query('SET jit = off');
  await installFanout(c);
});
afterAll(() => db.close());

const rowOf = async (sql: string, params: unknown[] = []): Promise<Record<string, unknown>> =>
  (await c.query(sql, params)).rows[0];

describe('each materialized view equals an independent per-entity reference on fan-out data (defects 004-3 to 004-6)', () => {
  test.each(Object.keys(REFERENCE))('%s has no row missing from or extra to its reference', async (view) => {
    expect((await c.query(differenceSql(view))).rows).toEqual([]);
    expect((await c.query(`SELECT count(*)::int AS n FROM funeral_mv.${view}`)).rows[0].n).toBeGreaterThan(0);
  });
});

describe('hand-computed figures where the seed fanned out', () => {
  test('dashboard revenue counts each reservation once, not once per service x location (seed: 6x, defect 004-3)', async () => {
    expect(await rowOf(`SELECT * FROM funeral_mv.mv_organization_dashboard WHERE organization_id = 1`)).toEqual({
      organization_id: '1',
      name: 'Alpha Funeral Home',
      rating: '4.50',
      total_reservations_last_90_days: '5',
      completed_reservations_last_90_days: '2',
      confirmed_reservations_last_90_days: '1',
      total_revenue_last_90_days: '2900.00',
      unique_customers_last_90_days: '3',
      avg_ticket_size: '966.67',
      total_services: '3',
      total_locations: '2',
    });
  });

  test('service performance ignores lines older than 30 days and averages ratings per review (defect 004-5)', async () => {
    const { rows } = await c.query(
      `SELECT service_id, times_booked_last_30_days AS booked, completed_bookings AS done, avg_price,
              total_revenue_last_30_days AS revenue, unique_customers AS customers, avg_rating
       FROM funeral_mv.mv_service_performance WHERE organization_id = 1 ORDER BY service_id`
    );
    expect(rows).toEqual([
      {
        service_id: '11',
        booked: '2',
        done: '1',
        avg_price: '1000.00',
        revenue: '3000.00',
        customers: '2',
        avg_rating: '4.00',
      },
      // Reservation 5 (100 days old, 3000) no longer feeds the average price or the revenue.
      {
        service_id: '12',
        booked: '1',
        done: '0',
        avg_price: '800.00',
        revenue: '800.00',
        customers: '1',
        avg_rating: '4.00',
      },
      // 5 reviews over 2 reservations: (5+3+2+4+5)/5 = 3.80, not the average of per-reservation averages.
      {
        service_id: '13',
        booked: '2',
        done: '2',
        avg_price: '550.00',
        revenue: '1100.00',
        customers: '2',
        avg_rating: '3.80',
      },
      { service_id: '14', booked: '0', done: '0', avg_price: null, revenue: '0', customers: '0', avg_rating: null },
    ]);
  });

  test('location availability counts slots and reservations of each location separately (defect 004-6)', async () => {
    const { rows } = await c.query(
      `SELECT location_id, upcoming_available_slots AS slots, upcoming_reservations AS upcoming,
              past_month_reservations AS past, avg_booking_value AS avg, last_availability_update = CURRENT_DATE + 1 AS tomorrow
       FROM funeral_mv.mv_location_availability WHERE organization_id = 1 ORDER BY location_id`
    );
    expect(rows).toEqual([
      { location_id: '11', slots: '3', upcoming: '1', past: '1', avg: '1500.00', tomorrow: true },
      { location_id: '12', slots: '1', upcoming: '1', past: '1', avg: '600.00', tomorrow: false },
    ]);
  });

  test('lifetime value is not multiplied by the number of reviews (seed: total_spent x 4 for customer 1, defect 004-4)', async () => {
    expect(
      await rowOf(
        `SELECT total_reservations, completed_reservations, total_spent, avg_order_value, organizations_used,
                avg_rating_given, reviews_given FROM funeral_mv.mv_customer_lifetime_value WHERE customer_id = $1`,
        [USER.c1]
      )
    ).toEqual({
      total_reservations: '3',
      completed_reservations: '2',
      total_spent: '2400.00',
      avg_order_value: '1200.00',
      organizations_used: '2',
      avg_rating_given: '3.50',
      reviews_given: '4',
    });
    expect((await c.query(`SELECT count(*)::int AS n FROM funeral_mv.mv_customer_lifetime_value`)).rows[0].n).toBe(3);
  });

  test('financial summary holds this year only, per month and organisation', async () => {
    const { rows } = await c.query(
      `SELECT organization_id, month = date_trunc('month', CURRENT_DATE)::date AS this_month, total_transactions AS n,
              total_processed_amount AS processed, successful_amount AS ok, refunded_amount AS refunded,
              failed_transactions AS failed, avg_transaction_value AS avg, reservations_associated AS reservations
       FROM funeral_mv.mv_financial_summary ORDER BY organization_id`
    );
    expect(rows).toEqual([
      {
        organization_id: '1',
        this_month: true,
        n: '4',
        processed: '3300.00',
        ok: '2300.00',
        refunded: '200.00',
        failed: '1',
        avg: '825.00',
        reservations: '2',
      },
      {
        organization_id: '2',
        this_month: true,
        n: '1',
        processed: '900.00',
        ok: '900.00',
        refunded: '0',
        failed: '0',
        avg: '900.00',
        reservations: '1',
      },
    ]);
  });

  test('search index lists active verified organisations with distinct types, cheapest active plan and a point (defect 004-6)', async () => {
    expect(
      await rowOf(
        `SELECT service_types_offered AS services, location_types AS locations, starting_price, total_services,
                total_locations, avg_review_score, total_reviews, public.ST_AsText(coordinates) AS point
         FROM funeral_mv.mv_search_index WHERE organization_id = 1`
      )
    ).toEqual({
      services: ['burial', 'cremation', 'memorial'],
      locations: ['chapel', 'funeral_home'],
      starting_price: '1500.00',
      total_services: '3',
      total_locations: '2',
      avg_review_score: '4.00',
      total_reviews: '7',
      point: 'POINT(-89.65 39.78)',
    });
    const { rows } = await c.query(`SELECT organization_id FROM funeral_mv.mv_search_index ORDER BY 1`);
    expect(rows).toEqual([{ organization_id: '1' }, { organization_id: '2' }]);
  });

  test('search index has a GiST index on the point and a GIN index on the service types', async () => {
    const { rows } = await c.query(
      `SELECT am.amname, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
       WHERE i.indrelid = 'funeral_mv.mv_search_index'::regclass AND am.amname IN ('gist', 'gin') ORDER BY 1`
    );
    expect(rows.map((r) => r.amname)).toEqual(['gin', 'gist']);
    expect(rows[0].def).toContain('service_types_offered');
    expect(rows[1].def).toContain('coordinates');
  });

  test('availability aggregate counts each slot once per organisation, location, service and day', async () => {
    const { rows } = await c.query(
      `SELECT date - CURRENT_DATE AS day, available_slots AS free, booked_slots AS booked, total_slots AS total,
              earliest_available_time AS earliest, latest_available_time AS latest
       FROM funeral_mv.realtime_availability WHERE location_id = 11 ORDER BY date`
    );
    expect(rows).toEqual([
      { day: 0, free: '2', booked: '1', total: '3', earliest: '09:00:00', latest: '12:00:00' },
      { day: 1, free: '1', booked: '0', total: '1', earliest: '14:00:00', latest: '15:00:00' },
    ]);
  });
});
