#!/usr/bin/env bash
# test-mongo.sh: run the test suite on the MongoDB code path (MONGODB_URI)
# without a MongoDB server. It starts a throw-away PostgreSQL cluster (a temp
# directory, a loopback port, fsync off), FerretDB 1.24 with its PostgreSQL
# handler in front of it (cmd/ferretpg, which also runs writes to any one
# collection one at a time, as MongoDB's single-document atomicity needs),
# runs `go test` with MONGODB_URI pointing there, and removes it all at exit.
#
#   scripts/test-mongo.sh [go test arguments]    (default: ./...)
#
# Needs PostgreSQL's server binaries (Debian: apt-get install postgresql),
# found under /usr/lib/postgresql/*/bin or on PATH. PostgreSQL refuses to
# run as root: as root the cluster runs as the `postgres` user (or a
# `cocreate-ci` user created for it).
set -euo pipefail
cd "$(dirname "$0")/.."

ferretpg_log_prefix=test-mongo
# shellcheck source=scripts/ferretpg-env.sh
. scripts/ferretpg-env.sh

# Each test client keeps at most 50 connections, so that even ten open at
# once stay below pool_max_conns.
export MONGODB_URI="mongodb://$FERRETPG_ADDR/?maxPoolSize=50"
echo "test-mongo: MONGODB_URI=$MONGODB_URI (FerretDB on PostgreSQL $PG_VERSION)"
# FerretDB without the proxy, for internal/wireproxy's tests only: they show
# its updates lose increments there and keep them all through the proxy.
export COCREATE_TEST_FERRETDB_PG="$FERRETPG_BACKEND"
[ $# -eq 0 ] && set -- ./...
go test "$@"
