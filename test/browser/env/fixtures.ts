// Views the browser specs need beyond the sales pack, registered the way a pack registers its own
// (mv_ops.register_view): a pack whose refresh fails in one view and succeeds in the others, and a
// pack with one slow view, so a reload can happen while a refresh is still running.

/** Pack `checks`: three independent views; `parcels_per_crate` divides by a day with no crates (22012). */
export const CHECKS_PACK = 'checks';
export const FAILING_VIEW = 'browser_fx.parcels_per_crate';
export const CHECKS_VIEWS = ['browser_fx.daily_parcels', FAILING_VIEW, 'browser_fx.weekly_parcels'];

/** Pack `slow`: one view whose refresh takes about SLOW_SECONDS. */
export const SLOW_PACK = 'slow';
export const SLOW_VIEW = 'browser_fx.slow_summary';
export const SLOW_SECONDS = 8;

export const FIXTURES_SQL = `
CREATE SCHEMA browser_fx;
CREATE TABLE browser_fx.deliveries (id serial PRIMARY KEY, day date NOT NULL, parcels int NOT NULL, crates int NOT NULL);
INSERT INTO browser_fx.deliveries (day, parcels, crates)
  SELECT d::date, 40 + (extract(doy FROM d)::int % 7) * 5, 4 FROM generate_series('2025-06-01'::date, '2025-06-30', '1 day') d;
-- A day whose deliveries were recorded without crates: dividing by its sum fails.
INSERT INTO browser_fx.deliveries (day, parcels, crates) VALUES ('2025-07-01', 12, 0);

CREATE MATERIALIZED VIEW browser_fx.daily_parcels AS
  SELECT day, sum(parcels) AS parcels FROM browser_fx.deliveries GROUP BY day WITH NO DATA;
CREATE UNIQUE INDEX ON browser_fx.daily_parcels (day);
CREATE MATERIALIZED VIEW browser_fx.parcels_per_crate AS
  SELECT day, sum(parcels) / sum(crates) AS per_crate FROM browser_fx.deliveries GROUP BY day WITH NO DATA;
CREATE UNIQUE INDEX ON browser_fx.parcels_per_crate (day);
CREATE MATERIALIZED VIEW browser_fx.weekly_parcels AS
  SELECT date_trunc('week', day)::date AS week, sum(parcels) AS parcels FROM browser_fx.deliveries GROUP BY 1 WITH NO DATA;
CREATE UNIQUE INDEX ON browser_fx.weekly_parcels (week);
SELECT mv_ops.register_view('browser_fx.daily_parcels', '${CHECKS_PACK}', 'Parcels per day', '*/15 * * * *', '30 minutes', '2 hours');
SELECT mv_ops.register_view('${FAILING_VIEW}', '${CHECKS_PACK}', 'Parcels per crate', '*/15 * * * *', '30 minutes', '2 hours');
SELECT mv_ops.register_view('browser_fx.weekly_parcels', '${CHECKS_PACK}', 'Parcels per week', '*/15 * * * *', '30 minutes', '2 hours');

CREATE TABLE browser_fx.slow_source (id int PRIMARY KEY);
INSERT INTO browser_fx.slow_source VALUES (1), (2), (3), (4);
CREATE TABLE browser_fx.slow_setting (seconds numeric NOT NULL);
INSERT INTO browser_fx.slow_setting VALUES (0);
-- pg_sleep per row: the refresh takes slow_setting.seconds however fast the machine is.
CREATE MATERIALIZED VIEW ${SLOW_VIEW} AS
  SELECT s.id, length(pg_sleep((SELECT seconds FROM browser_fx.slow_setting) / 4)::text) AS slept
  FROM browser_fx.slow_source s WITH NO DATA;
CREATE UNIQUE INDEX ON ${SLOW_VIEW} (id);
SELECT mv_ops.register_view('${SLOW_VIEW}', '${SLOW_PACK}', 'Takes a while to refresh', '*/15 * * * *', '30 minutes', '2 hours');
-- Populated once (at no cost), as a view in service is: its refreshes are then CONCURRENTLY, which
-- lets status reads go on meanwhile. A first refresh of an empty view locks readers out instead.
REFRESH MATERIALIZED VIEW ${SLOW_VIEW};
UPDATE browser_fx.slow_setting SET seconds = ${SLOW_SECONDS};
`;
