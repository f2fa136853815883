# ferretpg-env.sh: sourced by scripts/test-mongo.sh and scripts/load.sh, it
# starts a throw-away PostgreSQL cluster (a temp directory, a loopback port,
# fsync off) and FerretDB 1.24 with its PostgreSQL handler in front of it
# (cmd/ferretpg), and removes both when the calling script exits. The caller
# runs from the repository's root with `set -euo pipefail`; afterwards
# FERRETPG_ADDR is the proxy's address (what clients connect to),
# FERRETPG_BACKEND FerretDB's own address without the proxy, PG_VERSION
# PostgreSQL's version, and $tmp a directory removed at exit.
#
# Needs PostgreSQL's server binaries (Debian: apt-get install postgresql),
# found under /usr/lib/postgresql/*/bin or on PATH. PostgreSQL refuses to
# run as root: as root the cluster runs as the `postgres` user (or a
# `cocreate-ci` user created for it).
ferretpg_log_prefix="${ferretpg_log_prefix:-ferretpg-env}"

pgbin=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then pgbin="$d"; break; fi
done
if [ -z "$pgbin" ] && command -v initdb >/dev/null 2>&1; then
  pgbin="$(dirname "$(command -v initdb)")"
fi
if [ -z "$pgbin" ]; then
  echo "$ferretpg_log_prefix: PostgreSQL's server binaries (initdb, pg_ctl) not found; install them (apt-get install postgresql)" >&2
  exit 1
fi

# as USER CMD...: run a command as the cluster's owner.
as=()
if [ "$(id -u)" = 0 ]; then
  pguser=postgres
  if ! id "$pguser" >/dev/null 2>&1; then
    pguser=cocreate-ci
    id "$pguser" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$pguser"
  fi
  as=(runuser -u "$pguser" --)
fi

# free_port prints a loopback TCP port nothing listens on.
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "$ferretpg_log_prefix: no free loopback port found" >&2
  return 1
}

# As root the cluster's owner must reach the directory: under /tmp, not a
# TMPDIR that may sit in root's home.
base="${TMPDIR:-/tmp}"
[ ${#as[@]} -gt 0 ] && base=/tmp
tmp="$(mktemp -d "$base/cocreate-mongo-XXXXXX")"
chmod 755 "$tmp"
pgdata="$tmp/pg"
ferret_pid=""
cleanup() {
  local rc=$?
  if [ -n "$ferret_pid" ]; then
    kill "$ferret_pid" 2>/dev/null || true
    wait "$ferret_pid" 2>/dev/null || true
  fi
  if [ -f "$pgdata/postmaster.pid" ]; then
    "${as[@]}" "$pgbin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ $rc -ne 0 ] && [ -s "$tmp/ferretpg.log" ]; then
    echo "$ferretpg_log_prefix: the last lines of ferretpg's log:" >&2
    tail -n 40 "$tmp/ferretpg.log" >&2
  fi
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pgport="$(free_port)"
mkdir "$pgdata"
[ ${#as[@]} -gt 0 ] && chown "$pguser" "$pgdata"
# FerretDB accepts only UTF8 databases with a C or en_US.UTF8 locale.
"${as[@]}" "$pgbin/initdb" -D "$pgdata" -U ferretdb --auth=trust -E UTF8 --locale=C --no-sync >"$tmp/initdb.log" 2>&1 || {
  cat "$tmp/initdb.log" >&2; exit 1; }
# max_connections is above FerretDB's pool_max_conns (below), which is above
# the total of the test clients' pool sizes: a full pool wedges FerretDB.
"${as[@]}" "$pgbin/pg_ctl" -D "$pgdata" -w -t 60 -l "$pgdata/server.log" -o \
  "-c listen_addresses=127.0.0.1 -p $pgport -c unix_socket_directories=$pgdata -c max_connections=600 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$pgdata/server.log" >&2; exit 1; }
"${as[@]}" "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U ferretdb ferretdb

go build -o "$tmp/ferretpg" ./cmd/ferretpg
mport="$(free_port)"
bport="$(free_port)"
while [ "$bport" = "$mport" ]; do bport="$(free_port)"; done
"$tmp/ferretpg" -listen "127.0.0.1:$mport" -backend "127.0.0.1:$bport" \
  -postgresql-url "postgres://ferretdb@127.0.0.1:$pgport/ferretdb?pool_max_conns=550" \
  2>"$tmp/ferretpg.log" &
ferret_pid=$!
up=""
for _ in $(seq 300); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$mport") 2>/dev/null; then up=1; break; fi
  kill -0 "$ferret_pid" 2>/dev/null || { echo "$ferretpg_log_prefix: ferretpg exited" >&2; ferret_pid=""; exit 1; }
  sleep 0.1
done
[ -n "$up" ] || { echo "$ferretpg_log_prefix: ferretpg did not listen on 127.0.0.1:$mport within 30 s" >&2; exit 1; }

FERRETPG_ADDR="127.0.0.1:$mport"
FERRETPG_BACKEND="127.0.0.1:$bport"
PG_VERSION="$("$pgbin/postgres" --version | awk '{print $3}')"
