#!/usr/bin/env bash
# pgbench against one lrep node and one PostgreSQL server, same script, same durability
# (fsync on, synchronous_commit on), in the same run.
# Each server gets a warm-up run first, not counted: lrep's JVM compiles its hot paths during
# the first minute or so (tps rises from about a third of its steady rate to all of it).
# Then both stay up and the measured runs alternate, lrep then PostgreSQL, for the given number
# of rounds: the disk's flush latency drifts within minutes on a shared machine, and PostgreSQL's
# rate follows it, so each round's ratio compares runs made a minute apart. The summary gives
# every round's ratio and their median.
# Usage: benchmarks/pgbench/compare.sh [clients=8] [seconds=30] [warm-up seconds=60] [rounds=1]
set -euo pipefail
clients=${1:-8}
seconds=${2:-30}
warmup=${3:-60}
rounds=${4:-1}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pgbin/pgbench" ] || { echo "PostgreSQL server and client programs are needed (apt-get install postgresql)"; exit 1; }
work=$(mktemp -d /tmp/lrep-pgbench.XXXXXX)
chmod 755 "$work"
lrep_port=55432
pg_port=55433
cleanup() {
  "$root/lrep" stop -D "$work/lrep" -m fast >/dev/null 2>&1 || true
  if [ -f "$work/pg/postmaster.pid" ]; then runas "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# initdb refuses to run as root: run PostgreSQL as the postgres user then.
runas() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

setup() { # port user
  "$pgbin/psql" -X -q -h 127.0.0.1 -p "$1" -U "$2" -d postgres -v ON_ERROR_STOP=1 -f "$here/setup.sql" >/dev/null
  # warm-up (JIT compilation, caches), not counted
  "$pgbin/pgbench" -n -h 127.0.0.1 -p "$1" -U "$2" -c "$clients" -j 2 -T "$warmup" -f "$here/txn.sql" postgres >/dev/null 2>&1
}

run_pgbench() { # port user label
  "$pgbin/pgbench" -n -h 127.0.0.1 -p "$1" -U "$2" -c "$clients" -j 2 -T "$seconds" -f "$here/txn.sql" postgres \
    > "$work/out-$1.txt" 2>&1 || { cat "$work/out-$1.txt" >&2; return 1; }
  echo "-- $3" >&2
  grep -E "^(number of (transactions actually processed|failed)|latency average|tps)" "$work/out-$1.txt" >&2 || true
  grep -oP 'tps = \K[0-9.]+' "$work/out-$1.txt" | head -1
}

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "== lrep ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)) and PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}'), fsync=on, synchronous_commit=on, $clients clients, $rounds round(s) of ${seconds} s each"
"$root/lrep" init -D "$work/lrep" -U bench -c port=$lrep_port -c fsync=on -c synchronous_commit=on >/dev/null 2>&1
"$root/lrep" start -D "$work/lrep" --background -l "$work/lrep.log" >/dev/null
mkdir -p "$work/pg" "$work/pglog"
if [ "$(id -u)" = 0 ]; then chown postgres "$work/pg" "$work/pglog"; fi
runas "$pgbin/initdb" -D "$work/pg" -A trust -U bench >/dev/null
runas "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pglog/pg.log" -w \
  -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work/pglog -c fsync=on -c synchronous_commit=on -c max_connections=50" start >/dev/null
setup $lrep_port bench
setup $pg_port bench

ratios=()
for round in $(seq "$rounds"); do
  lrep_tps=$(run_pgbench $lrep_port bench "round $round, lrep" | tail -1)
  pg_tps=$(run_pgbench $pg_port bench "round $round, PostgreSQL" | tail -1)
  ratio=$(awk -v a="$lrep_tps" -v b="$pg_tps" 'BEGIN{printf "%.2f", a/b}')
  ratios+=("$ratio")
  echo "== round $round tps: lrep $lrep_tps, PostgreSQL $pg_tps, ratio $ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
echo "== ratios: ${ratios[*]}; median $median"
