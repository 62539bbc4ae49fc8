#!/bin/sh
# Runs a command as the database's owner, the image's superuser `postgres`, whose password the `secrets` step made:
# node-postgres (db:migrate, db:seed, db:logins) reads PGPASSWORD when DATABASE_URL carries no password, so the
# password stays in its file, out of the compose file and the command line.
set -eu
PGPASSWORD="$(cat "${POSTGRES_PASSWORD_FILE:?POSTGRES_PASSWORD_FILE must name the superuser password file}")"
export PGPASSWORD
exec "$@"
