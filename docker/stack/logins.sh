#!/bin/sh
# The stack's `logins` step: the data sources' read-only logins and the refresh service's login, named by the first
# argument (a member of mv_ops_operator only), with the passwords the `secrets` step made (the *_FILE variables).
# The platform login acts as a funeral super admin: while there is none (no demo data, PLATFORM_SUPER_ADMIN_USER_ID
# unset) only the sales and service logins are made, and the platform data source cannot connect until a later start.
set -eu

service_login="${1:?usage: logins.sh SERVICE_LOGIN_NAME}"
if [ -z "${PLATFORM_SUPER_ADMIN_USER_ID:-}" ] && ! node docker/stack/db-has.mjs super-admin; then
  echo "logins: funeral.users has no super admin yet: making the sales and service logins only" >&2
  exec npm run db:logins -- --only sales --service-login "$service_login"
fi
exec npm run db:logins -- --service-login "$service_login"
