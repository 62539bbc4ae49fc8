// SQL for the funeral demo data (organisations, people, catalogue): set-based and deterministic. Every choice is
// pg_temp.rnd(seed, key), a number in [0, 1) from hashtext of the seed value and a row key, never random():
// hashtext is ~8x cheaper than md5, and as stable (same server build, same rows).
// Ids are positional so later statements can pick rows without lookups: organisation o owns services
// (o-1)*6+1 .. +nsvc(o) and locations (o-1)*4+1 .. +nloc(o).

export const CREATE_HELPERS = `
CREATE OR REPLACE FUNCTION pg_temp.rnd(seed int, k text) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$ SELECT (hashtext(seed::text || ':' || k)::bigint + 2147483648) / 4294967296.0::float8 $$;
CREATE OR REPLACE FUNCTION pg_temp.nsvc(seed int, org int) RETURNS int
LANGUAGE sql IMMUTABLE AS $$ SELECT 3 + floor(pg_temp.rnd(seed, 'nsvc:' || org) * 4)::int $$;
CREATE OR REPLACE FUNCTION pg_temp.nloc(seed int, org int) RETURNS int
LANGUAGE sql IMMUTABLE AS $$ SELECT 1 + floor(pg_temp.rnd(seed, 'nloc:' || org) * 4)::int $$;
CREATE OR REPLACE FUNCTION pg_temp.customer(seed int, n int) RETURNS uuid
LANGUAGE sql IMMUTABLE AS $$ SELECT md5(seed || ':customer:' || n)::uuid $$;
CREATE TEMP TABLE seed_city (c int, city text, state text, zip text, lat float8, lng float8) ON COMMIT DROP;
INSERT INTO seed_city VALUES
 (0, 'Springfield', 'IL', '627', 39.80, -89.64), (1, 'Chicago', 'IL', '606', 41.88, -87.63), (2, 'Austin', 'TX', '787', 30.27, -97.74),
 (3, 'Dallas', 'TX', '752', 32.78, -96.80), (4, 'Houston', 'TX', '770', 29.76, -95.37), (5, 'Denver', 'CO', '802', 39.74, -104.99),
 (6, 'Phoenix', 'AZ', '850', 33.45, -112.07), (7, 'Seattle', 'WA', '981', 47.61, -122.33), (8, 'Portland', 'OR', '972', 45.52, -122.68),
 (9, 'Atlanta', 'GA', '303', 33.75, -84.39), (10, 'Miami', 'FL', '331', 25.76, -80.19), (11, 'Orlando', 'FL', '328', 28.54, -81.38),
 (12, 'Boston', 'MA', '021', 42.36, -71.06), (13, 'Columbus', 'OH', '432', 39.96, -83.00), (14, 'Nashville', 'TN', '372', 36.16, -86.78),
 (15, 'Charlotte', 'NC', '282', 35.23, -80.84), (16, 'Minneapolis', 'MN', '554', 44.98, -93.27), (17, 'Kansas City', 'MO', '641', 39.10, -94.58),
 (18, 'Sacramento', 'CA', '958', 38.58, -121.49), (19, 'Richmond', 'VA', '232', 37.54, -77.44);
CREATE TEMP TABLE seed_service_type (tk int, service_type text, label text, price numeric) ON COMMIT DROP;
INSERT INTO seed_service_type VALUES (1, 'burial', 'Traditional burial', 4200), (2, 'cremation', 'Direct cremation', 1800),
 (3, 'memorial', 'Memorial service', 1200), (4, 'viewing', 'Private viewing', 900), (5, 'green_burial', 'Green burial', 3100),
 (6, 'repatriation', 'Repatriation', 3600)`;

/** Login bindings (Grafana data source logins, made by npm run db:logins) are not demo data: kept across a re-seed. */
export const SAVE_BINDINGS = `
CREATE TEMP TABLE seed_kept_binding ON COMMIT DROP AS SELECT role_name, user_id, created_at FROM funeral.login_role_binding`;

/** Puts back the saved bindings whose role and user still exist (users keep their ids for the same --seed). */
export const RESTORE_BINDINGS = `
WITH restored AS (
  INSERT INTO funeral.login_role_binding (role_name, user_id, created_at)
  SELECT k.role_name, k.user_id, k.created_at FROM seed_kept_binding k
  WHERE EXISTS (SELECT 1 FROM funeral.users u WHERE u.id = k.user_id)
    AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = k.role_name)
  RETURNING role_name
)
SELECT k.role_name::text AS role, EXISTS (SELECT 1 FROM restored r WHERE r.role_name = k.role_name) AS kept
FROM seed_kept_binding k ORDER BY 1`;

export const TRUNCATE = `
TRUNCATE funeral.organizations, funeral.users, funeral.organization_users, funeral.services, funeral.locations,
  funeral.pricing_plans, funeral.availabilities, funeral.reviews, funeral.reservations, funeral.payments,
  funeral.reservation_services, funeral.login_role_binding RESTART IDENTITY CASCADE`;

/** Partitions for the two years of history and the months ahead, with change tracking installed on them. */
export const PARTITIONS = `
SELECT funeral.create_month_partitions((date_trunc('month', CURRENT_DATE) + m * interval '1 month')::date)
FROM generate_series(-25, 0) m;
SELECT * FROM funeral.manage_partitions()`;

/** $1 organisations, $2::int seed. Mostly active and verified, some inactive, suspended, pending or rejected. */
export const ORGANIZATIONS = `
INSERT INTO funeral.organizations (id, name, status, verification_status, rating, address, created_at)
SELECT o,
       (ARRAY['Evergreen', 'Heritage', 'Peaceful Valley', 'Riverside', 'St. Mark''s', 'Oakwood', 'Willow Creek', 'Harbor',
              'Golden Gate', 'Serenity'])[1 + floor(pg_temp.rnd($2::int, 'pre:' || o) * 10)::int] || ' ' ||
       (ARRAY['Funeral Home', 'Memorial Chapel', 'Funeral Services', 'Cremation & Burial', 'Mortuary'])[1 + floor(pg_temp.rnd($2::int, 'suf:' || o) * 5)::int]
         || ' of ' || c.city,
       -- Every 12th organisation (from the 5th) is inactive and every 10th (from the 4th) unverified, whatever the hash says,
       -- so even a tiny data set has both kinds.
       CASE WHEN o % 12 = 5 THEN 'inactive' WHEN pg_temp.rnd($2::int, 'st:' || o) < 0.88 THEN 'active'
            WHEN pg_temp.rnd($2::int, 'st:' || o) < 0.95 THEN 'inactive' ELSE 'suspended' END,
       CASE WHEN o % 10 = 4 THEN 'pending' WHEN pg_temp.rnd($2::int, 'ver:' || o) < 0.82 THEN 'verified'
            WHEN pg_temp.rnd($2::int, 'ver:' || o) < 0.95 THEN 'pending' ELSE 'rejected' END,
       round((3 + 2 * sqrt(pg_temp.rnd($2::int, 'rating:' || o)))::numeric, 2),
       jsonb_build_object('street', (100 + o * 7) || ' Main St', 'city', c.city, 'state', c.state,
                          'zip_code', c.zip || lpad((o % 100)::text, 2, '0'),
                          'coordinates', jsonb_build_object('lat', round((c.lat + (pg_temp.rnd($2::int, 'lat:' || o) - 0.5) * 0.2)::numeric, 5),
                                                            'lng', round((c.lng + (pg_temp.rnd($2::int, 'lng:' || o) - 0.5) * 0.2)::numeric, 5))),
       CURRENT_DATE - 900 + floor(pg_temp.rnd($2::int, 'since:' || o) * 150)::int
FROM generate_series(1, $1::int) o
JOIN seed_city c ON c.c = floor(pow(pg_temp.rnd($2::int, 'city:' || o), 1.5) * 20)::int`;

/** $1 organisations, $2::int seed, $3 customers: two super admins, an admin, manager and staff member per organisation. */
export const USERS = `
WITH people AS (
  SELECT md5($2::int || ':admin:' || k)::uuid AS id, 'admin' || k || '@platform.example' AS email, 'Platform Admin ' || k AS full_name,
         'super_admin' AS role, 0 AS org, NULL AS org_role
  FROM generate_series(1, 2) k
  UNION ALL
  SELECT md5($2::int || ':provider:' || o || ':' || k)::uuid, (ARRAY['admin', 'manager', 'staff'])[k] || o || '@org' || o || '.example',
         (ARRAY['Avery', 'Jordan', 'Morgan', 'Riley', 'Casey', 'Taylor'])[1 + floor(pg_temp.rnd($2::int, 'pf:' || o || k) * 6)::int] || ' ' ||
         (ARRAY['Hughes', 'Patel', 'Nguyen', 'Garcia', 'Okafor', 'Schmidt'])[1 + floor(pg_temp.rnd($2::int, 'pl:' || o || k) * 6)::int],
         'provider', o, (ARRAY['admin', 'manager', 'staff'])[k]
  FROM generate_series(1, $1::int) o CROSS JOIN generate_series(1, 3) k
  UNION ALL
  SELECT pg_temp.customer($2::int, n), 'customer' || n || '@mail.example',
         (ARRAY['Ann', 'Ben', 'Chloe', 'David', 'Emma', 'Frank', 'Grace', 'Henry', 'Isla', 'Jack'])[1 + floor(pg_temp.rnd($2::int, 'cf:' || n) * 10)::int] || ' ' ||
         (ARRAY['Smith', 'Johnson', 'Brown', 'Lee', 'Martin', 'Clark', 'Lewis', 'Walker', 'Young', 'King'])[1 + floor(pg_temp.rnd($2::int, 'cl:' || n) * 10)::int],
         'customer', 0, NULL
  FROM generate_series(1, $3::int) n
), u AS (
  INSERT INTO funeral.users (id, email, full_name, role, created_at)
  SELECT id, email, full_name, role, CURRENT_DATE - 800 FROM people RETURNING id
)
INSERT INTO funeral.organization_users (organization_id, user_id, role)
SELECT org, id, org_role FROM people WHERE org_role IS NOT NULL`;

/** $1 organisations, $2::int seed: 3-6 services, 1-4 locations and 2-3 pricing plans each; a few retired. */
export const CATALOGUE = `
WITH s AS (
  INSERT INTO funeral.services (id, organization_id, name, service_type, base_price, is_available)
  SELECT (o - 1) * 6 + k, o, t.label, t.service_type, round(t.price * (0.8 + 0.4 * pg_temp.rnd($2::int, 'sp:' || o || ':' || k))::numeric, -1),
         pg_temp.rnd($2::int, 'sa:' || o || ':' || k) > 0.08
  FROM generate_series(1, $1::int) o CROSS JOIN generate_series(1, 6) k
  JOIN seed_service_type t ON t.tk = 1 + (k + o) % 6
  WHERE k <= pg_temp.nsvc($2::int, o) RETURNING 1
), l AS (
  INSERT INTO funeral.locations (id, organization_id, name, location_type, address, is_active)
  SELECT (o.id - 1) * 4 + k, o.id, split_part(o.name, ' of ', 1) || ' ' || (ARRAY['Main', 'North', 'East', 'Garden'])[k],
         (ARRAY['funeral_home', 'chapel', 'crematorium', 'cemetery'])[1 + (k + o.id) % 4],
         o.address - 'coordinates', k = 1 OR pg_temp.rnd($2::int, 'la:' || o.id || ':' || k) > 0.1
  FROM funeral.organizations o CROSS JOIN generate_series(1, 4) k
  WHERE k <= pg_temp.nloc($2::int, o.id::int) RETURNING 1
)
INSERT INTO funeral.pricing_plans (organization_id, name, base_price, is_active)
SELECT o, (ARRAY['Essential', 'Traditional', 'Premium'])[k], round((1500 + k * 1800 + pg_temp.rnd($2::int, 'pp:' || o || k) * 900)::numeric, -1),
       pg_temp.rnd($2::int, 'pa:' || o || k) > 0.15
FROM generate_series(1, $1::int) o CROSS JOIN generate_series(1, 3) k
WHERE k <= 2 + floor(pg_temp.rnd($2::int, 'np:' || o) * 2)::int`;
