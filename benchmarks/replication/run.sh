#!/usr/bin/env bash
# End-to-end replication benchmark: two lrep nodes in one JVM over loopback TCP (see
# io.lrep.bench.e2e.ReplicationBench and docs/benchmarks.md, section 6).
# Usage: benchmarks/replication/run.sh [--rows=1000000] [--clients=8] [--seconds=30] [--warmup=60]
#        [--repeat=3] [--scenarios=abc] [--streaming=off] [--load-warmup=60] [--copy-warmups=2]
#        [--jfr=DIR] [--dir=DIR] [--separate-jvms=true] [--node-java-opts="-XX:+UseParallelGC -Xms4g ..."]
# Measure with nothing else running on the machine: another build at the same time
# invalidates the figures. LREP_JAVA_OPTS replaces the JVM options (default: parallel GC).
set -euo pipefail
# shellcheck source=../common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../common.sh"
echo "== lrep $commit; load before the run:$(uptime | sed 's/.*load average://')"
# shellcheck disable=SC2086
LREP_LOG_LEVEL=${LREP_LOG_LEVEL:-WARN} java ${LREP_JAVA_OPTS:--XX:+UseParallelGC} -cp "$jar" io.lrep.bench.e2e.ReplicationBench "$@"
echo "== load after the run:$(uptime | sed 's/.*load average://')"
