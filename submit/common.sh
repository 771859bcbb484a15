# Shared by submit/dvgs and submit/dvgs-submit (sourced, not run).
# Builds the application jar when it is missing or older than the sources, and exports the JVM flags Spark needs.

DVGS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DVGS_VERSION="$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$DVGS_ROOT/pom.xml" | head -n 1)"
DVGS_JAR="${DVGS_JAR:-$DVGS_ROOT/target/dvgs-spark-$DVGS_VERSION.jar}"

# Java 17 module openings Spark needs (as org.apache.spark.launcher.JavaModuleOptions).
DVGS_JAVA_OPENS=(
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false
  -Dio.netty.tryReflectionSetAccessible=true
)

dvgs_stale() { # $1 = file; true when missing or older than pom.xml or any main source/resource
  [ ! -f "$1" ] && return 0
  [ -n "$(find "$DVGS_ROOT/pom.xml" "$DVGS_ROOT/src/main" -newer "$1" -type f -print -quit)" ]
}

dvgs_build_jar() {
  # A jar given as a URI (local:///opt/dvgs/dvgs-spark.jar inside an image, hdfs://...) is not built here.
  case "$DVGS_JAR" in *://*) return 0 ;; esac
  if dvgs_stale "$DVGS_JAR"; then
    echo "dvgs: building $DVGS_JAR (mvn -Pdist package) ..." >&2
    (cd "$DVGS_ROOT" && mvn -q -B -Pdist package -DskipTests) >&2
  fi
}

# The JVM's just-in-time compilers for a dvgs command ($1), from DVGS_JIT: quick (C1 only, -XX:TieredStopAtLevel=1),
# full (the JVM's default: tiered up to C2) or auto (the default: quick for demo, full for every other command).
# C2 compiles thousands of Spark, Scala and JDK methods in a run's first half-minute, on the cores the job needs:
# quick takes up to a fifth off a small job's wall time and about a third off its CPU time; full runs long Java-heavy work
# (TMC Data Shapley's refits, generating or loading a large table) about a quarter faster (BENCHMARKS.md, "JIT").
# Values do not depend on it: Java's floating point is strict and the arithmetic of scoring is PyTorch's.
# Prints the one flag (nothing for full); returns 2 on a value it does not know.
dvgs_jit_opts() {
  local mode="${DVGS_JIT:-auto}"
  if [ "$mode" = auto ]; then
    case "${1:-}" in demo) mode=quick ;; *) mode=full ;; esac
  fi
  case "$mode" in
    quick) echo "-XX:TieredStopAtLevel=1" ;;
    full) ;;
    *) echo "DVGS_JIT=$DVGS_JIT is not one of auto, quick, full" >&2; return 2 ;;
  esac
}
