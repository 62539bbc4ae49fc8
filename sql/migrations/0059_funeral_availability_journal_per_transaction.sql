-- 0059: the availability day journal keyed by (date, transaction), so concurrent bookings of one day never wait on each other.
-- Up Migration
-- Keyed by date alone, a second transaction journalling the same day waited for the first to commit
-- (unique-index conflict): every booking of a day was serialised. One row per writing transaction avoids it.
ALTER TABLE funeral_mv.availability_dirty_day ADD COLUMN IF NOT EXISTS xid xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id();
COMMENT ON COLUMN funeral_mv.availability_dirty_day.xid IS 'Transaction that changed slots of the date: part of the key so writers never conflict.';
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                 WHERE conrelid = 'funeral_mv.availability_dirty_day'::regclass AND contype = 'p' AND cardinality(conkey) = 2) THEN
    ALTER TABLE funeral_mv.availability_dirty_day DROP CONSTRAINT IF EXISTS availability_dirty_day_pkey;
    ALTER TABLE funeral_mv.availability_dirty_day ADD CONSTRAINT availability_dirty_day_pkey PRIMARY KEY (date, xid);
  END IF;
END
$$;
COMMENT ON TABLE funeral_mv.availability_dirty_day IS
  'Dates whose availabilities changed since the aggregate last recomputed them, one row per writing transaction (statement triggers with transition tables write it; the refresh claims and deletes the rows it saw).';
