#!/usr/bin/env bash
# What this machine allows for the pgbench script of compare.sh, whatever the server: pgbench against
# a server that runs no SQL and answers each statement once a record for it is durable (group commit,
# fdatasync; io.lrep.bench.e2e.NullCommitServer), in its two threading models, with and without
# fsync, and against PostgreSQL with and without fsync, one after the other.
# Usage: benchmarks/pgbench/ceiling.sh [clients=8] [seconds=20]
# Needs benchmarks/target/benchmarks.jar (mvn -B -q -DskipTests -pl benchmarks -am package) and
# Debian's postgresql package.
set -euo pipefail
clients=${1:-8}
seconds=${2:-20}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="$root/benchmarks/target/benchmarks.jar"
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pgbin/pgbench" ] || { echo "PostgreSQL server and client programs are needed (apt-get install postgresql)"; exit 1; }
[ -f "$jar" ] || { echo "build the benchmarks first: mvn -B -q -DskipTests -pl benchmarks -am package"; exit 1; }
work=$(mktemp -d "$root/benchmarks/target/ceiling.XXXXXX") # on the disk the servers use, not tmpfs
chmod 755 "$work"
port=55434
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -f "$work/pg/postmaster.pid" ]; then runas "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
runas() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
tps() { # label
  local t
  t=$("$pgbin/pgbench" -n -h 127.0.0.1 -p $port -U bench -c "$clients" -j 2 -T "$seconds" -f "$here/txn.sql" postgres 2>&1 \
    | grep -oP 'tps = \K[0-9.]+' | head -1)
  printf '%-44s %10s tps\n' "$1" "$t"
}

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $clients clients, $seconds s each"
for fsync in on off; do
  for model in threads loop; do
    java -cp "$jar" io.lrep.bench.e2e.NullCommitServer --port=$port --log="$work/null.log" --fsync=$fsync --model=$model >/dev/null &
    server=$!
    for _ in $(seq 100); do "$pgbin/pg_isready" -q -h 127.0.0.1 -p $port 2>/dev/null && break; sleep 0.1; done
    tps "null server, $model, fsync=$fsync"
    kill "$server"; wait "$server" 2>/dev/null || true; server=
  done
done
mkdir -p "$work/pg" "$work/pglog"
if [ "$(id -u)" = 0 ]; then chown postgres "$work/pg" "$work/pglog"; fi
runas "$pgbin/initdb" -D "$work/pg" -A trust -U bench >/dev/null
for fsync in on off; do
  runas "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pglog/pg.log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/pglog -c fsync=$fsync -c synchronous_commit=on -c max_connections=50" start >/dev/null
  "$pgbin/psql" -X -q -h 127.0.0.1 -p $port -U bench -d postgres -c "DROP TABLE IF EXISTS accounts, history" >/dev/null 2>&1
  "$pgbin/psql" -X -q -h 127.0.0.1 -p $port -U bench -d postgres -v ON_ERROR_STOP=1 -f "$here/setup.sql" >/dev/null
  tps "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), fsync=$fsync"
  runas "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null
done
