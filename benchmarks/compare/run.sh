#!/usr/bin/env bash
# lrep against PostgreSQL 15's own logical replication, end to end, same workloads, same run
# (see io.lrep.bench.e2e.CompareBench and docs/benchmarks.md, section 7).
# Usage: benchmarks/compare/run.sh [--short] [--rows=1000000] [--seconds=60] [--warmup=30]
#        [--latency-txns=2000] [--clients=8] [--systems=lrep,postgresql] [--out=FILE] [--dir=DIR]
#        [--node-java-opts="-XX:+UseParallelGC -Xms4g ..."]
# Measure with nothing else running on the machine: another build at the same time
# invalidates the figures. Exit code 1 when a subscriber's table differed from its publisher's.
set -euo pipefail
# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
echo "== lrep $commit; PostgreSQL: $(/usr/lib/postgresql/15/bin/postgres --version 2>/dev/null || echo 'not installed (lrep only)')"
echo "== load before the run:$(uptime | sed 's/.*load average://')"
status=0
# shellcheck disable=SC2086
LREP_LOG_LEVEL=${LREP_LOG_LEVEL:-WARN} java ${LREP_JAVA_OPTS:--XX:+UseParallelGC} -Dlrep.bench.commit="$commit" \
  -cp "$jar" io.lrep.bench.e2e.CompareBench "$@" || status=$?
echo "== load after the run:$(uptime | sed 's/.*load average://')"
exit $status
