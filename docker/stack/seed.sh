#!/bin/sh
# The stack's `seed` step, demo data for both packs, the sales data ending on the day it runs (db:seed --end-today).
# MATVIEWOPS_DEMO_DATA:
#   true (default)  seeds each pack whose tables are empty, so a restart keeps the data (and its refresh history);
#   always          re-seeds both packs at every start (the sales data then ends on that day);
#   false           seeds nothing, for a database you fill with your own data.
set -eu

mode="${MATVIEWOPS_DEMO_DATA:-true}"
case "$mode" in
  false)
    echo "demo data: none (MATVIEWOPS_DEMO_DATA=false)"
    exit 0
    ;;
  true | always) ;;
  *)
    echo "MATVIEWOPS_DEMO_DATA must be true, false or always, not \"$mode\"" >&2
    exit 2
    ;;
esac

for pack in sales funeral; do
  if [ "$mode" = true ] && node docker/stack/db-has.mjs "$pack"; then
    echo "demo data: the $pack pack already has data, kept (MATVIEWOPS_DEMO_DATA=always seeds it again)"
    continue
  fi
  npm run db:seed -- --pack "$pack" --end-today
done
