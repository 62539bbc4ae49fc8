-- 0076: the availability aggregate registered in mv_ops (pack funeral, every 15 minutes, date-relative, weekly full recompute).
-- Up Migration
SELECT mv_ops.register_aggregate('funeral_mv.realtime_availability', 'funeral',
       'Real-time availability (today to 14 days ahead; incremental table)',
       schedule => '*/15 * * * *', warn_after => '20 minutes', error_after => '1 hour',
       refresh_routine => 'funeral_mv.refresh_realtime_availability_managed()'::regprocedure,
       sources => ARRAY['funeral.availabilities'::regclass],
       date_relative => true, full_refresh_schedule => '0 3 * * 0');
