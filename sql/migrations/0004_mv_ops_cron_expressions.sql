-- 0004: cron expressions evaluated in SQL, so the due-views run (pg_cron or an external tick) can honour each view's own schedule.
-- Up Migration
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
                 WHERE n.nspname = 'mv_ops' AND t.typname = 'cron_spec') THEN
    CREATE TYPE mv_ops.cron_spec AS (
      minutes int[], hours int[], days_of_month int[], months int[], days_of_week int[],
      dom_restricted boolean, dow_restricted boolean
    );
  END IF;
END
$$;
COMMENT ON TYPE mv_ops.cron_spec IS 'A parsed five-field cron expression: the values each field allows.';

CREATE OR REPLACE FUNCTION mv_ops.cron_field(field text, lo int, hi int, label text)
RETURNS int[]
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  item text;
  m text[];
  a int; b int; step int;
  result int[] := '{}';
BEGIN
  FOREACH item IN ARRAY string_to_array(field, ',') LOOP
    m := regexp_match(item, '^(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?$');
    IF m IS NULL THEN
      RAISE EXCEPTION 'invalid % field "%" in cron schedule', label, field USING ERRCODE = '22023',
        HINT = 'Use *, a number, a range a-b, a list a,b or a step */n.';
    END IF;
    IF m[1] = '*' THEN a := lo; b := hi;
    ELSE a := m[2]::int; b := COALESCE(m[3]::int, CASE WHEN m[4] IS NOT NULL THEN hi ELSE a END);
    END IF;
    step := COALESCE(m[4]::int, 1);
    IF a < lo OR b > hi OR a > b OR step < 1 THEN
      RAISE EXCEPTION 'invalid % field "%" in cron schedule: values must lie in %-%', label, field, lo, hi USING ERRCODE = '22023';
    END IF;
    result := result || ARRAY(SELECT generate_series(a, b, step));
  END LOOP;
  RETURN ARRAY(SELECT DISTINCT v FROM unnest(result) v ORDER BY v);
END
$$;
COMMENT ON FUNCTION mv_ops.cron_field(text, int, int, text) IS 'Values allowed by one cron field (*, n, a-b, lists, /steps), or an error naming the field.';

CREATE OR REPLACE FUNCTION mv_ops.cron_parse(expr text)
RETURNS mv_ops.cron_spec
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  normalized text := CASE lower(btrim(expr))
    WHEN '@hourly' THEN '0 * * * *' WHEN '@daily' THEN '0 0 * * *' WHEN '@midnight' THEN '0 0 * * *'
    WHEN '@weekly' THEN '0 0 * * 0' WHEN '@monthly' THEN '0 0 1 * *'
    WHEN '@yearly' THEN '0 0 1 1 *' WHEN '@annually' THEN '0 0 1 1 *' ELSE btrim(expr) END;
  f text[] := regexp_split_to_array(normalized, '\s+');
  spec mv_ops.cron_spec;
BEGIN
  IF expr IS NULL OR array_length(f, 1) <> 5 THEN
    RAISE EXCEPTION 'invalid cron schedule "%": expected five fields (minute hour day-of-month month day-of-week) or @hourly/@daily/@weekly/@monthly', expr
      USING ERRCODE = '22023';
  END IF;
  spec.minutes := mv_ops.cron_field(f[1], 0, 59, 'minute');
  spec.hours := mv_ops.cron_field(f[2], 0, 23, 'hour');
  spec.days_of_month := mv_ops.cron_field(f[3], 1, 31, 'day-of-month');
  spec.months := mv_ops.cron_field(f[4], 1, 12, 'month');
  -- 7 is Sunday too, as in cron.
  spec.days_of_week := ARRAY(SELECT DISTINCT (d % 7) FROM unnest(mv_ops.cron_field(f[5], 0, 7, 'day-of-week')) d ORDER BY 1);
  spec.dom_restricted := f[3] <> '*';
  spec.dow_restricted := f[5] <> '*';
  RETURN spec;
END
$$;
COMMENT ON FUNCTION mv_ops.cron_parse(text) IS 'Parses a five-field cron expression (or @hourly/@daily/@weekly/@monthly/@yearly) with a clear error when it is malformed.';

CREATE OR REPLACE FUNCTION mv_ops.cron_fired(expr text, time_zone text, after_ts timestamptz, up_to timestamptz)
RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  spec mv_ops.cron_spec := mv_ops.cron_parse(expr);
  lo timestamp := after_ts AT TIME ZONE time_zone;
  hi timestamp := up_to AT TIME ZONE time_zone;
  d timestamp;
  dom_ok boolean; dow_ok boolean;
BEGIN
  IF up_to <= after_ts THEN
    RETURN false;
  END IF;
  -- After a long outage any schedule has fired; refreshing once is the safe answer.
  IF hi - lo > interval '400 days' THEN
    RETURN true;
  END IF;
  FOR d IN SELECT generate_series(date_trunc('day', lo), date_trunc('day', hi), interval '1 day') LOOP
    CONTINUE WHEN NOT (extract(month FROM d)::int = ANY (spec.months));
    dom_ok := extract(day FROM d)::int = ANY (spec.days_of_month);
    dow_ok := extract(dow FROM d)::int = ANY (spec.days_of_week);
    -- Vixie cron: when both day fields are restricted, either may match.
    CONTINUE WHEN NOT CASE WHEN spec.dom_restricted AND spec.dow_restricted THEN dom_ok OR dow_ok ELSE dom_ok AND dow_ok END;
    IF EXISTS (SELECT 1 FROM unnest(spec.hours) h, unnest(spec.minutes) mi
               WHERE d + make_interval(hours => h, mins => mi) > lo
                 AND d + make_interval(hours => h, mins => mi) <= hi) THEN
      RETURN true;
    END IF;
  END LOOP;
  RETURN false;
END
$$;
COMMENT ON FUNCTION mv_ops.cron_fired(text, text, timestamptz, timestamptz) IS
  'True when the cron expression, read in the given time zone, has a minute in (after_ts, up_to].';
