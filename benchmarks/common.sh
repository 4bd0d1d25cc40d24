# Sourced by the benchmark scripts: sets $root and $jar (building the benchmarks jar when it is
# missing) and prints the machine, the JDK and the commit.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/benchmarks/target/benchmarks.jar"
if [ ! -f "$jar" ]; then
  (cd "$root" && mvn -B -q -DskipTests -pl benchmarks -am package)
fi
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1)"
