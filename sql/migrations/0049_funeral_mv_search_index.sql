-- 0049: mv_search_index (seed MV 7): public search over active, verified organisations; PostGIS point with GiST, GIN on service types.
-- Up Migration
CREATE MATERIALIZED VIEW IF NOT EXISTS funeral_mv.mv_search_index AS
SELECT o.id AS organization_id,
       o.name AS organization_name,
       o.rating,
       o.address ->> 'city' AS city,
       o.address ->> 'state' AS state,
       o.address ->> 'zip_code' AS zip_code,
       COALESCE(s.service_types, '{}') AS service_types_offered,
       COALESCE(l.location_types, '{}') AS location_types,
       pp.starting_price,
       COALESCE(s.n, 0) AS total_services,
       COALESCE(l.n, 0) AS total_locations,
       rv.avg_review_score,
       COALESCE(rv.n, 0) AS total_reviews,
       public.ST_SetSRID(public.ST_MakePoint((o.address -> 'coordinates' ->> 'lng')::float8,
                                             (o.address -> 'coordinates' ->> 'lat')::float8), 4326) AS coordinates
FROM funeral.organizations o
LEFT JOIN (SELECT organization_id, array_agg(DISTINCT service_type ORDER BY service_type) AS service_types, count(*) AS n
           FROM funeral.services WHERE is_available GROUP BY 1) s ON s.organization_id = o.id
LEFT JOIN (SELECT organization_id, array_agg(DISTINCT location_type ORDER BY location_type) AS location_types, count(*) AS n
           FROM funeral.locations WHERE is_active GROUP BY 1) l ON l.organization_id = o.id
LEFT JOIN (SELECT organization_id, min(base_price) AS starting_price
           FROM funeral.pricing_plans WHERE is_active GROUP BY 1) pp ON pp.organization_id = o.id
-- Each review counts once: the seed's average was weighted by services x locations x plans.
LEFT JOIN (SELECT organization_id, round(avg(rating), 2) AS avg_review_score, count(*) AS n
           FROM funeral.reviews GROUP BY 1) rv ON rv.organization_id = o.id
WHERE o.status = 'active' AND o.verification_status = 'verified';
CREATE UNIQUE INDEX IF NOT EXISTS idx_mv_search_index_org_id ON funeral_mv.mv_search_index (organization_id);
CREATE INDEX IF NOT EXISTS idx_mv_search_index_city_state ON funeral_mv.mv_search_index (city, state);
CREATE INDEX IF NOT EXISTS idx_mv_search_index_service_types ON funeral_mv.mv_search_index USING gin (service_types_offered);
CREATE INDEX IF NOT EXISTS idx_mv_search_index_coordinates ON funeral_mv.mv_search_index USING gist (coordinates);
COMMENT ON MATERIALIZED VIEW funeral_mv.mv_search_index IS
  'Seed MV 7: one row per active, verified organisation: city/state/zip, service and location types offered, cheapest active plan, counts, review average over its reviews, location as a PostGIS point (SRID 4326). Read it through funeral.mv_search_index.';

SELECT mv_ops.register_view('funeral_mv.mv_search_index', 'funeral', 'Public search index',
       schedule => '0 * * * *', warn_after => '90 minutes', error_after => '3 hours',
       date_relative => false, full_refresh_schedule => '0 3 * * 0');

-- Public: the materialized view already holds only what the public may see.
CREATE OR REPLACE VIEW funeral.mv_search_index WITH (security_barrier) AS
SELECT d.* FROM funeral_mv.mv_search_index d;
COMMENT ON VIEW funeral.mv_search_index IS 'Seed access rule: public (anyone); only active, verified organisations are in it.';
REVOKE ALL ON funeral_mv.mv_search_index, funeral.mv_search_index FROM PUBLIC;
-- Everyone, including the anonymous role, may search.
GRANT SELECT ON funeral.mv_search_index TO funeral_anon, funeral_authenticated, funeral_tenant;
