// SQL for the sales demo data: set-based, deterministic (md5 of the seed value and a row key, never random()).

/** A uniform number in [0, 1) from the seed and a key: the same inputs always give the same number. */
export const CREATE_RND = `
CREATE OR REPLACE FUNCTION pg_temp.rnd(seed int, k text) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$ SELECT ('x' || substr(md5(seed::text || ':' || k), 1, 8))::bit(32)::bigint / 4294967296.0 $$`;

/** Products the venue sells: bay hours (SIM usage), coaching, food, drinks, equipment; one without a category. */
export const CREATE_CATALOGUE = `
CREATE TEMP TABLE seed_catalogue (n int, name text, category text, price numeric, cost_ratio numeric, is_sim int, max_qty int) ON COMMIT DROP;
INSERT INTO seed_catalogue VALUES
  (0, 'Bay Rental 1h', 'Bay Rental', 500, 0.10, 1, 1),
  (1, 'Bay Rental 1h Peak', 'Bay Rental', 700, 0.10, 1, 1),
  (2, 'Coaching Session 1h', 'Coaching', 1800, 0.50, 0, 1),
  (3, 'Singha Beer', 'Drinks', 120, 0.40, 0, 4),
  (4, 'Soft Drink', 'Drinks', 50, 0.30, 0, 3),
  (5, 'Iced Coffee', 'Drinks', 80, 0.25, 0, 2),
  (6, 'Club Sandwich', 'Food', 220, 0.35, 0, 2),
  (7, 'French Fries', 'Food', 120, 0.30, 0, 2),
  (8, 'Golf Glove', 'Golf Equipment', 590, 0.55, 0, 1),
  (9, 'Golf Balls (3)', 'Golf Equipment', 300, 0.50, 0, 2),
  (10, 'Gift Voucher', NULL, 1000, 0.00, 0, 1)`;

export const FIRST_DAY = '2024-03-16';
export const DAYS = 478;

/** With --end-today: the first day of the series that ends on today's date in the venue's time zone (pos.setting). */
export const FIRST_DAY_ENDING_TODAY = `
SELECT ((now() AT TIME ZONE (SELECT value FROM pos.setting WHERE name = 'time_zone'))::date - ${DAYS - 1})::text AS first_day`;

/**
 * The line items of the receipts in the CTE "source" (day, i = the day's index in the series, r = the receipt's
 * number that day), each drawn from the seed value $2 and its day and receipt numbers alone; $1 is the scale (the
 * customer base grows with it). ~12 % walk-ins with placeholder phones, 1-4 lines per receipt.
 */
const lineItemsOf = (source: string, timestamp: string): string => `
WITH ${source}, receipts AS (
  SELECT s.day, s.i, s.r,
         'R' || to_char(s.day, 'YYYYMMDD') || '-' || lpad(s.r::text, 5, '0') AS receipt_number,
         pg_temp.rnd($2, s.i || ':' || s.r || ':who') AS who,
         pg_temp.rnd($2, s.i || ':' || s.r || ':cust') AS cust,
         pg_temp.rnd($2, s.i || ':' || s.r || ':pay') AS pay,
         10 + floor(pg_temp.rnd($2, s.i || ':' || s.r || ':h') * 12)::int AS hour,
         floor(pg_temp.rnd($2, s.i || ':' || s.r || ':m') * 60)::int AS minute,
         1 + floor(pg_temp.rnd($2, s.i || ':' || s.r || ':lines') * 4)::int AS lines
  FROM source s
), lines AS (
  SELECT rc.*, l,
         CASE WHEN l = 1 AND pg_temp.rnd($2, rc.receipt_number || ':' || l || ':bay') < 0.7
              THEN floor(pg_temp.rnd($2, rc.receipt_number || ':' || l || ':peak') * 2)::int
              ELSE 2 + floor(pg_temp.rnd($2, rc.receipt_number || ':' || l || ':p') * 9)::int END AS product,
         pg_temp.rnd($2, rc.receipt_number || ':' || l || ':q') AS q,
         pg_temp.rnd($2, rc.receipt_number || ':' || l || ':disc') AS disc,
         pg_temp.rnd($2, rc.receipt_number || ':' || l || ':void') AS void
  FROM receipts rc CROSS JOIN LATERAL generate_series(1, rc.lines) l
), priced AS (
  SELECT li.*, c.name, c.category, c.cost_ratio, c.is_sim, 1 + floor(li.q * c.max_qty)::int AS qty,
         round(c.price * (1 + floor(li.q * c.max_qty)::int) * CASE WHEN li.disc < 0.1 THEN 0.9 ELSE 1 END, 2) AS total,
         round(c.price * (1 + floor(li.q * c.max_qty)::int) * CASE WHEN li.disc < 0.1 THEN 0.1 ELSE 0 END, 2) AS discount
  FROM lines li JOIN seed_catalogue c ON c.n = li.product
), line_items AS (
  SELECT p.day AS date,
         ${timestamp} AS sales_timestamp,
         p.receipt_number,
         CASE WHEN p.who >= 0.12 THEN 'Customer ' || floor(3000 * $1::float8 * power(p.cust, 1.8))::bigint END AS customer_name,
         -- Walk-ins: the POS leaves the phone empty, '-' or NULL.
         CASE WHEN p.who >= 0.12 THEN '08' || lpad(floor(3000 * $1::float8 * power(p.cust, 1.8))::bigint::text, 8, '0')
              WHEN p.who < 0.05 THEN NULL WHEN p.who < 0.09 THEN '' ELSE '-' END AS customer_phone_number,
         p.name AS product_name, p.category AS product_category, p.qty AS item_cnt,
         round(p.total / 1.07, 2) AS sales_net, p.total AS sales_total, p.total - round(p.total / 1.07, 2) AS sales_vat,
         p.discount AS sales_discount,
         round(round(p.total / 1.07, 2) * p.cost_ratio, 2) AS sales_cost,
         round(p.total / 1.07, 2) - round(round(p.total / 1.07, 2) * p.cost_ratio, 2) AS gross_profit,
         p.is_sim AS is_sim_usage, p.void < 0.015 AS is_voided,
         CASE WHEN p.pay < 0.3 THEN 'Cash' WHEN p.pay < 0.6 THEN 'Card' WHEN p.pay < 0.8 THEN 'PromptPay QR'
              WHEN p.pay < 0.92 THEN 'QR Payment' ELSE 'Bank Transfer' END AS payment_method,
         ${timestamp} AS updated_at,
         p.l
  FROM priced p
)`;

/** The columns of pos.lengolf_sales a POS line item sets, in the order the generators return them. */
export const LINE_COLUMNS = [
  'date',
  'sales_timestamp',
  'receipt_number',
  'customer_name',
  'customer_phone_number',
  'product_name',
  'product_category',
  'item_cnt',
  'sales_net',
  'sales_total',
  'sales_vat',
  'sales_discount',
  'sales_cost',
  'gross_profit',
  'is_sim_usage',
  'is_voided',
  'payment_method',
  'updated_at',
] as const;

/** The hour and minute the receipt was drawn, on its business date in the venue's time zone. */
const DRAWN_TIME = `(p.day + make_interval(hours => p.hour, mins => p.minute)) AT TIME ZONE 'Asia/Bangkok'`;

/**
 * Inserts the line items of days [$3, $4) of the series starting on $5: $1 scale, $2 seed.
 * ~12 receipts a day at scale 1 (more at weekends), 1-4 lines each, ~12 % walk-ins with placeholder phones.
 */
export const INSERT_DAYS = `${lineItemsOf(
  `days AS (
  SELECT ($5::date + i) AS day, i FROM generate_series($3::int, $4::int - 1) i
), source AS (
  SELECT d.day, d.i, r
  FROM days d
  CROSS JOIN LATERAL generate_series(1, greatest(1, round($1::float8 * 12 * (CASE WHEN extract(isodow FROM d.day) >= 6 THEN 1.35 ELSE 0.85 END)
                                                     * (0.6 + 0.8 * pg_temp.rnd($2, d.i || ':volume')))::int)) r
)`,
  DRAWN_TIME
)}
INSERT INTO pos.lengolf_sales (${LINE_COLUMNS.join(', ')})
SELECT ${LINE_COLUMNS.join(', ')}
FROM line_items
ORDER BY date, receipt_number, l`;

/**
 * The line items of $6 more receipts of day $3 (the day's index $4 in the series), numbered from $5 on, as the
 * seed draws them ($1 scale, $2 seed), rung up within the 15 minutes before now() (never before the day began in
 * time zone $7): what the POS adds during the day. One row per line, ordered by receipt and line.
 */
export const RECEIPT_LINES = `${lineItemsOf(
  `source AS (
  SELECT $3::date AS day, $4::int AS i, r FROM generate_series($5::int, $5::int + $6::int - 1) r
)`,
  `greatest(now() - make_interval(secs => 900 * pg_temp.rnd($2, p.receipt_number || ':rung')), $3::date::timestamp AT TIME ZONE $7::text)`
)}
SELECT ${LINE_COLUMNS.join(', ')}
FROM line_items
ORDER BY receipt_number, l`;
