-- 0070: the refresh service's request decision: join a running run, idempotency keys, per-view minimum interval, run cap.
-- Up Migration
CREATE TABLE IF NOT EXISTS mv_ops.refresh_request (
  request_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id bigint NOT NULL REFERENCES mv_ops.refresh_run ON DELETE CASCADE,
  outcome text NOT NULL CHECK (outcome IN ('started', 'joined', 'recent', 'idempotent')),
  requested_by text,
  idempotency_key text,
  fingerprint text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT mv_ops.clock()
);
COMMENT ON TABLE mv_ops.refresh_request IS
  'One row per refresh request the service accepted: who asked and which run answered it (a joined request adds no refresh, only this row). Holds the Idempotency-Key mapping; pruned with its run.';
COMMENT ON COLUMN mv_ops.refresh_request.outcome IS
  'started: a new run; joined: an unfinished run already covering the request; recent: a run within the minimum interval covering it; idempotent: same Idempotency-Key as an earlier request.';
COMMENT ON COLUMN mv_ops.refresh_request.fingerprint IS 'Normalised request (sorted views | pack | cascade): a reused Idempotency-Key must come with the same request.';
CREATE INDEX IF NOT EXISTS refresh_request_key ON mv_ops.refresh_request (idempotency_key, request_id DESC)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS refresh_request_run ON mv_ops.refresh_request (run_id);
REVOKE ALL ON mv_ops.refresh_request FROM PUBLIC;

CREATE OR REPLACE FUNCTION mv_ops.request_refresh(
  views text[], pack text, cascade boolean, trigger text, requested_by text,
  idempotency_key text, min_interval interval, max_running int
)
RETURNS TABLE (run_id bigint, outcome text, retry_after_seconds int, detail text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- Catalog joins are estimated at thousands of rows; JIT would spend seconds compiling for a handful.
SET jit = off
-- A request must not queue forever behind a stuck decision: 55P03 is answered "busy, retry".
SET lock_timeout = '5s'
AS $$
DECLARE
  asked int[];
  plan int[];
  fp text;
  found_run bigint;
  found_fp text;
  blocker record;
  n_running int;
BEGIN
  -- One decision at a time across every service instance: "is it already running?" and "start it"
  -- must be atomic, or concurrent identical requests would each start a run.
  PERFORM pg_advisory_xact_lock(hashtext('mv_ops.request_refresh'));
  PERFORM mv_ops.reap_abandoned();

  IF pack IS NOT NULL AND NOT EXISTS (SELECT 1 FROM mv_ops.managed_view m WHERE m.pack = request_refresh.pack) THEN
    RAISE EXCEPTION 'unknown pack "%"', left(pack, 200) USING ERRCODE = '22023';
  END IF;
  asked := mv_ops.resolve_views(views)
        || ARRAY(SELECT m.view_id FROM mv_ops.managed_view m
                 WHERE m.pack = request_refresh.pack OR (views IS NULL AND request_refresh.pack IS NULL));
  -- The same plan start_run builds: asked views plus, with cascade, everything downstream.
  WITH RECURSIVE wanted(view_id) AS (
    SELECT unnest(asked)
    UNION
    SELECT s.view_id FROM wanted w JOIN mv_ops.view_source s ON s.upstream_view_id = w.view_id
    WHERE request_refresh.cascade
  )
  SELECT array_agg(DISTINCT w.view_id) INTO plan FROM wanted w;
  fp := concat_ws('|', (SELECT string_agg(x, ',' ORDER BY x) FROM unnest(views) x), pack, cascade::text);

  IF idempotency_key IS NOT NULL THEN
    SELECT q.run_id, q.fingerprint INTO found_run, found_fp FROM mv_ops.refresh_request q
    WHERE q.idempotency_key = request_refresh.idempotency_key AND q.created_at > mv_ops.clock() - interval '24 hours'
    ORDER BY q.request_id DESC LIMIT 1;
    IF found_run IS NOT NULL THEN
      IF found_fp <> fp THEN
        RETURN QUERY SELECT found_run, 'key_reused'::text, NULL::int,
          'this Idempotency-Key was used in the last 24 hours for a different request'::text;
        RETURN;
      END IF;
      INSERT INTO mv_ops.refresh_request (run_id, outcome, requested_by, idempotency_key, fingerprint)
      VALUES (found_run, 'idempotent', left(requested_by, 200), idempotency_key, fp);
      RETURN QUERY SELECT found_run, 'idempotent'::text, NULL::int, NULL::text;
      RETURN;
    END IF;
  END IF;

  -- Join: an unfinished run in which every view of this plan is still queued or running.
  SELECT r.run_id INTO found_run FROM mv_ops.refresh_run r
  WHERE r.status = 'running'
    AND NOT EXISTS (SELECT 1 FROM unnest(plan) p(v)
                    WHERE NOT EXISTS (SELECT 1 FROM mv_ops.refresh_log l
                                      WHERE l.run_id = r.run_id AND l.view_id = p.v AND l.status IN ('queued', 'running')))
  ORDER BY r.run_id DESC LIMIT 1;
  IF found_run IS NOT NULL THEN
    INSERT INTO mv_ops.refresh_request (run_id, outcome, requested_by, idempotency_key, fingerprint)
    VALUES (found_run, 'joined', left(requested_by, 200), idempotency_key, fp);
    RETURN QUERY SELECT found_run, 'joined'::text, NULL::int, NULL::text;
    RETURN;
  END IF;

  IF min_interval > interval '0' THEN
    -- Within the minimum interval a repeated click gets the run that just covered it, not an error.
    SELECT r.run_id INTO found_run FROM mv_ops.refresh_run r
    WHERE r.trigger IN ('manual', 'api') AND r.created_at > mv_ops.clock() - min_interval
      AND NOT EXISTS (SELECT 1 FROM unnest(plan) p(v)
                      WHERE NOT EXISTS (SELECT 1 FROM mv_ops.refresh_log l
                                        WHERE l.run_id = r.run_id AND l.view_id = p.v
                                          AND l.status IN ('queued', 'running', 'succeeded')))
    ORDER BY r.run_id DESC LIMIT 1;
    IF found_run IS NOT NULL THEN
      INSERT INTO mv_ops.refresh_request (run_id, outcome, requested_by, idempotency_key, fingerprint)
      VALUES (found_run, 'recent', left(requested_by, 200), idempotency_key, fp);
      RETURN QUERY SELECT found_run, 'recent'::text, NULL::int, NULL::text;
      RETURN;
    END IF;
  END IF;

  IF min_interval > interval '0' THEN
    SELECT format('%I.%I', m.schema_name, m.view_name) AS name, max(r.created_at) AS last_at INTO blocker
    FROM mv_ops.refresh_log l
    JOIN mv_ops.refresh_run r ON r.run_id = l.run_id
    JOIN mv_ops.managed_view m ON m.view_id = l.view_id
    WHERE l.view_id = ANY (asked) AND l.trigger IN ('manual', 'api') AND l.status IN ('queued', 'running', 'succeeded')
      AND r.created_at > mv_ops.clock() - min_interval
    GROUP BY m.view_id, m.schema_name, m.view_name ORDER BY max(r.created_at) DESC LIMIT 1;
    IF FOUND THEN
      RETURN QUERY SELECT NULL::bigint, 'too_soon'::text,
        GREATEST(1, ceil(extract(epoch FROM blocker.last_at + min_interval - mv_ops.clock())))::int,
        format('%s was refreshed on request less than %s ago', blocker.name, min_interval);
      RETURN;
    END IF;
  END IF;

  SELECT count(*) INTO n_running FROM mv_ops.refresh_run r WHERE r.status = 'running';
  IF max_running IS NOT NULL AND n_running >= max_running THEN
    RETURN QUERY SELECT NULL::bigint, 'busy'::text, 5,
      format('%s refresh runs are already in progress (limit %s)', n_running, max_running);
    RETURN;
  END IF;

  found_run := mv_ops.start_run(views, pack, cascade, trigger, requested_by);
  -- The caller's session will execute the run: if it dies before finishing, reap_abandoned sees it.
  PERFORM mv_ops.claim_run(found_run);
  INSERT INTO mv_ops.refresh_request (run_id, outcome, requested_by, idempotency_key, fingerprint)
  VALUES (found_run, 'started', left(requested_by, 200), idempotency_key, fp);
  RETURN QUERY SELECT found_run, 'started'::text, NULL::int, NULL::text;
END
$$;
COMMENT ON FUNCTION mv_ops.request_refresh(text[], text, boolean, text, text, text, interval, int) IS
  'The refresh service''s decision for one request, serialised across instances: same Idempotency-Key -> that run; an unfinished run whose queued or running attempts cover the plan -> join it; a manual run within min_interval covering it -> that run; a view refreshed on request within min_interval -> too_soon; max_running runs in progress -> busy; else a new run, claimed by the calling session, which must then execute it.';

CREATE OR REPLACE FUNCTION mv_ops.applied_migrations()
RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT name::text FROM mv_ops.schema_migrations ORDER BY name $$;
COMMENT ON FUNCTION mv_ops.applied_migrations() IS 'Names of the applied migrations, so the service''s readiness check can compare them with the files it ships.';

REVOKE ALL ON FUNCTION mv_ops.request_refresh(text[], text, boolean, text, text, text, interval, int) FROM PUBLIC;
REVOKE ALL ON FUNCTION mv_ops.applied_migrations() FROM PUBLIC;
-- Starting runs is the operator's power; the service login holds it.
GRANT EXECUTE ON FUNCTION mv_ops.request_refresh(text[], text, boolean, text, text, text, interval, int) TO mv_ops_operator;
-- Readiness is status, which readers may see.
GRANT EXECUTE ON FUNCTION mv_ops.applied_migrations() TO mv_ops_reader;
