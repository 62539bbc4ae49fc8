-- 0115: the POS inserts its receipts into pos.lengolf_sales dated the current day in the venue's time zone; those
-- inserts are no longer journaled (mv_ops 0114), so a receipt costs the till almost nothing more than the insert.
-- Late rows (another day), corrections, voids and deletions are journaled as before.
-- Up Migration

SELECT mv_ops.track_keys('pos.lengolf_sales', 'date', s.value) FROM pos.setting s WHERE s.name = 'time_zone';
