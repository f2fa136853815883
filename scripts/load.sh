#!/usr/bin/env bash
# load.sh: run the load-and-faults program (scripts/load) with a database to
# cut off: it starts FerretDB on a throw-away PostgreSQL cluster as
# scripts/test-mongo.sh does (scripts/ferretpg-env.sh) and hands its address
# to the program in LOAD_MONGODB_URI. Without PostgreSQL's server binaries the
# database-cut scenario is skipped with a message; everything else runs.
#
#   scripts/load.sh -short     # what CI runs
#   scripts/load.sh            # the full rush: 200 participants, 2,000 notes
set -euo pipefail
cd "$(dirname "$0")/.."

if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1; then
  ferretpg_log_prefix=load
  # shellcheck source=scripts/ferretpg-env.sh
  . scripts/ferretpg-env.sh
  export LOAD_MONGODB_URI="mongodb://$FERRETPG_ADDR/?maxPoolSize=50"
  echo "load: the database-cut scenario uses FerretDB on PostgreSQL $PG_VERSION at $FERRETPG_ADDR"
else
  echo "load: PostgreSQL's server binaries not found (apt-get install postgresql): the database-cut scenario will be skipped"
fi
go run ./scripts/load "$@"
