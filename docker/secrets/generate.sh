#!/bin/sh
# The stack's one-shot `secrets` step: makes each secret once, in SECRETS_DIR (the `secrets` volume), as 32 random
# bytes in 64 hex characters (no "$", which Grafana's provisioning would expand, and no newline). A file that exists
# is kept, so a restart keeps every password and secret, and this step then changes nothing.
# Who reads them: the Node steps run as root; Grafana runs as uid 472 with group 0, which the files are readable by;
# PostgreSQL's image reads its own password as its user postgres (uid 999), which owns that file.
set -eu

dir="${SECRETS_DIR:-/run/secrets/matviewops}"
# The superuser's, the data sources' logins (npm run db:logins), the refresh service's login, the service's two.
names="postgres_password grafana_sales_password grafana_platform_password matviewops_service_password read_secret admin_secret"

mkdir -p "$dir"
umask 0227 # files 0440: their owner and group read them, nobody writes them
made=0
for name in $names; do
  file="$dir/$name"
  if [ -s "$file" ]; then
    continue
  fi
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file.new"
  if [ "$(id -u)" = 0 ]; then
    if [ "$name" = postgres_password ]; then owner=999:0; else owner=0:0; fi
    chown "$owner" "$file.new"
  fi
  # Renamed into place whole: a step that reads it never sees half a secret.
  mv "$file.new" "$file"
  echo "secrets: generated $name"
  made=$((made + 1))
done
if [ "$made" = 0 ]; then
  echo "secrets: every secret is already in $dir, nothing changed"
fi
