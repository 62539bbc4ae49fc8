// SQL for the funeral demo bookings: reservations with their service lines, payments, reviews, and slots.
// Deterministic per seed value (pg_temp.rnd from funeral.sql.ts) and relative to the day it runs, so the
// 30/90-day windows and the next weeks' availability always have data.

/**
 * Reservations $3 .. $4 (ids) with 1-3 lines each: $1 organisations, $2 seed, $5 customers.
 * Creation dates span the last two years, busier recently; past bookings are mostly completed, future ones
 * confirmed or pending, a few cancelled or no-shows. total_amount is the sum of the lines.
 */
export const RESERVATIONS = `
WITH r AS (
  SELECT i AS id, o AS org, pg_temp.customer($2::int, 1 + floor(pg_temp.rnd($2::int, 'rc:' || i) * $5)::int) AS user_id,
         (o - 1) * 4 + 1 + floor(pg_temp.rnd($2::int, 'rl:' || i) * pg_temp.nloc($2::int, o))::int AS location_id,
         created, created::date + 1 + floor(pg_temp.rnd($2::int, 'rd:' || i) * 14)::int AS scheduled_date,
         pg_temp.rnd($2::int, 'rs:' || i) AS s, 1 + floor(pg_temp.rnd($2::int, 'rn:' || i) * 3)::int AS nlines, pg_temp.nsvc($2::int, o) AS nsvc
  FROM generate_series($3::int, $4::int) i
  CROSS JOIN LATERAL (SELECT 1 + floor(pow(pg_temp.rnd($2::int, 'ro:' || i), 1.6) * $1)::int AS o,
                             (CURRENT_DATE - 730 + floor(730 * sqrt(pg_temp.rnd($2::int, 'rt:' || i)))::int)::timestamptz
                               + interval '7 hours' + pg_temp.rnd($2::int, 'rh:' || i) * interval '13 hours' AS created
                      -- OFFSET 0 keeps the subquery from being flattened, which would recompute o's hash per use.
                      OFFSET 0) x
), l AS (
  SELECT r.id AS reservation_id, sv.id AS service_id, 1 AS quantity,
         round(sv.base_price * (0.9 + 0.2 * pg_temp.rnd($2::int, 'lp:' || r.id || ':' || k))::numeric, 2) AS unit_price
  FROM r CROSS JOIN LATERAL generate_series(1, r.nlines) k
  JOIN funeral.services sv ON sv.id = (r.org - 1) * 6 + 1 + floor(pg_temp.rnd($2::int, 'ls:' || r.id || ':' || k) * r.nsvc)::int
), lines AS (
  INSERT INTO funeral.reservation_services (reservation_id, service_id, quantity, unit_price, total_price)
  SELECT reservation_id, service_id, quantity, unit_price, unit_price * quantity FROM l RETURNING reservation_id
)
INSERT INTO funeral.reservations (id, organization_id, user_id, location_id, status, scheduled_date, total_amount, created_at)
SELECT r.id, r.org, r.user_id, r.location_id,
       CASE WHEN r.scheduled_date < CURRENT_DATE THEN
              CASE WHEN r.s < 0.82 THEN 'completed' WHEN r.s < 0.94 THEN 'cancelled' ELSE 'no_show' END
            ELSE CASE WHEN r.s < 0.6 THEN 'confirmed' WHEN r.s < 0.95 THEN 'pending' ELSE 'cancelled' END END,
       r.scheduled_date, COALESCE(t.total, 0), r.created
FROM r LEFT JOIN (SELECT reservation_id, sum(unit_price * quantity) AS total FROM l GROUP BY 1) t ON t.reservation_id = r.id`;

/** Payments of reservations $2 .. $3 ($1 seed): paid bookings, some failed first attempts, refunds, pending deposits. */
export const PAYMENTS = `
INSERT INTO funeral.payments (reservation_id, amount, status, method, created_at)
SELECT r.id, p.amount, p.status, (ARRAY['card', 'card', 'bank_transfer', 'insurance'])[1 + floor(pg_temp.rnd($1::int, 'pm:' || r.id) * 4)::int],
       r.created_at + p.after
FROM funeral.reservations r
CROSS JOIN LATERAL (
  SELECT r.total_amount AS amount, 'failed' AS status, interval '10 minutes' AS after
  WHERE r.status IN ('confirmed', 'completed', 'no_show') AND pg_temp.rnd($1::int, 'pf:' || r.id) < 0.05
  UNION ALL
  SELECT r.total_amount, 'completed', interval '1 hour' WHERE r.status IN ('confirmed', 'completed', 'no_show')
  UNION ALL
  SELECT round(r.total_amount * 0.2, 2), 'refunded', interval '2 days'
  WHERE (r.status = 'cancelled' AND pg_temp.rnd($1::int, 'pc:' || r.id) < 0.5) OR (r.status = 'completed' AND pg_temp.rnd($1::int, 'pr:' || r.id) < 0.03)
  UNION ALL
  SELECT round(r.total_amount * 0.25, 2), 'pending', interval '30 minutes' WHERE r.status = 'pending' AND pg_temp.rnd($1::int, 'pd:' || r.id) < 0.3
) p
WHERE r.id BETWEEN $2 AND $3
-- A fixed order, so ids are the same on every run whatever plan PostgreSQL picks.
ORDER BY r.id, p.after`;

/** Reviews of completed reservations $2 .. $3 ($1 seed): about a third reviewed, some twice (a follow-up). */
export const REVIEWS = `
INSERT INTO funeral.reviews (reservation_id, organization_id, user_id, rating, comment, created_at)
SELECT r.id, r.organization_id, r.user_id, 1 + floor(pow(pg_temp.rnd($1::int, 'vr:' || r.id || ':' || k), 0.45) * 5)::int,
       (ARRAY['Compassionate staff.', 'Everything was handled with care.', 'Good, some delays.', 'Would recommend.'])[k + floor(pg_temp.rnd($1::int, 'vc:' || r.id) * 3)::int],
       r.scheduled_date + k * 3
FROM funeral.reservations r CROSS JOIN generate_series(1, 2) k
WHERE r.id BETWEEN $2 AND $3 AND r.status = 'completed' AND pg_temp.rnd($1::int, 'v1:' || r.id) < 0.35
  AND (k = 1 OR pg_temp.rnd($1::int, 'v2:' || r.id) < 0.1)
ORDER BY r.id, k`;

/** Slots for organisations $2 .. $3 ($1 seed): each active location offers two services, four slots a day, from a week ago to three weeks ahead. */
export const AVAILABILITIES = `
INSERT INTO funeral.availabilities (organization_id, location_id, service_id, date, start_time, end_time, is_available)
SELECT l.organization_id, l.id, (l.organization_id - 1) * 6 + k, CURRENT_DATE + d, make_time(h, 0, 0), make_time(h + 2, 0, 0),
       pg_temp.rnd($1::int, 'av:' || l.id || ':' || k || ':' || d || ':' || h) > CASE WHEN d < 0 THEN 0.8 ELSE 0.2 + 0.4 * (d < 3)::int END
FROM funeral.locations l CROSS JOIN generate_series(1, 2) k CROSS JOIN generate_series(-7, 21) d CROSS JOIN unnest(ARRAY[9, 11, 13, 15]) h
WHERE l.is_active AND l.organization_id BETWEEN $2 AND $3
ORDER BY l.id, k, d, h`;
