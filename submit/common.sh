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

# The JVM's just-in-time compilers for a dvgs command line ($1 = the command, then its arguments), from DVGS_JIT:
# quick (C1 only, -XX:TieredStopAtLevel=1), full (the JVM's default: tiered up to C2) or auto (the default).
# C2 compiles thousands of Spark, Scala and JDK methods in a run's first half-minute, on the cores the job needs:
# quick takes a fifth to a quarter off a small job's wall time and about a third off its CPU time; full runs long
# Java-heavy work (the refits of leave-one-out, TMC Data Shapley and DVRL, generating or loading a large table) about
# a quarter faster (BENCHMARKS.md, "JIT"). auto is quick for demo, and for evaluate unless its config or overrides
# name one of those three baselines (dvgs_names_java_baseline); full for every other command, whose inputs may be
# large. Values do not depend on it: Java's floating point is strict and the arithmetic of scoring is PyTorch's.
# Prints the one flag (nothing for full); returns 2 on a value it does not know.
dvgs_jit_opts() {
  local mode="${DVGS_JIT:-auto}"
  if [ "$mode" = auto ]; then
    case "${1:-}" in
      demo) mode=quick ;;
      evaluate) if dvgs_names_java_baseline "${@:2}"; then mode=full; else mode=quick; fi ;;
      *) mode=full ;;
    esac
  fi
  case "$mode" in
    quick) echo "-XX:TieredStopAtLevel=1" ;;
    full) ;;
    *) echo "DVGS_JIT=$DVGS_JIT is not one of auto, quick, full" >&2; return 2 ;;
  esac
}

# True when an evaluate command line names loo, tmc-shapley or dvrl: in an argument (an override), in the file of
# --config (-c) or in a file it includes (include "f", include file("f"), include required(...), relative to the file
# that includes it). A whole-line comment does not count. A mention anywhere else (a string, a trailing comment)
# counts, which only keeps the full compilers, the JVM's default. A name the launcher cannot see (an include of a
# class path resource or a URL) leaves the quick compilers: the run takes longer, its values are the same.
dvgs_names_java_baseline() {
  local pattern='(^|[^A-Za-z0-9_-])(loo|tmc-shapley|dvrl)([^A-Za-z0-9_-]|$)'
  local -a files=() seen=()
  local a prev=""
  for a in "$@"; do
    case "$a" in
      # The options of the CLI's argument parser (org.dvgs.cli.Arguments) that take a value.
      --config | -c | --output | -o | --input | -i) ;;
      *)
        # The paths after --output and --input are not config; grep reads all its input (no -q), so that pipefail
        # never sees a writer cut off.
        case "$prev" in
          --config | -c) files+=("$a") ;;
          --output | -o | --input | -i) ;;
          *) if printf '%s\n' "$a" | grep -E "$pattern" > /dev/null; then return 0; fi ;;
        esac ;;
    esac
    prev="$a"
  done
  local f inc dir n=0
  while [ "${#files[@]}" -gt 0 ] && [ "$n" -lt 50 ]; do
    f="${files[0]}"; files=("${files[@]:1}"); n=$((n + 1))
    [ -f "$f" ] || continue
    # By its physical directory, so that a file reached as a/../b/f.conf and as b/f.conf is read once.
    dir="$(cd "$(dirname "$f")" && pwd -P)"
    f="$dir/$(basename "$f")"
    [[ " ${seen[*]-} " == *" $f "* ]] && continue
    seen+=("$f")
    if grep -Ev '^[[:space:]]*(#|//)' "$f" | grep -E "$pattern" > /dev/null; then return 0; fi
    while IFS= read -r inc; do
      case "$inc" in /*) files+=("$inc") ;; *) files+=("$dir/$inc") ;; esac
    done < <(sed -nE 's/^[[:space:]]*include[[:space:]]+(required[[:space:]]*\([[:space:]]*)?(file[[:space:]]*\([[:space:]]*)?"([^"]+)".*/\3/p' "$f")
  done
  return 1
}
