package org.dvgs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * submit/dvgs's choice of the JVM's compilers (DVGS_JIT): quick for the demo and for evaluate runs without the Java-heavy
 * baselines, full otherwise, a bad value refused.
 */
class LauncherJitTest {
  record Result(int status, String out) {}

  static Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().remove("DVGS_JIT");
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    return new Result(p.waitFor(), out);
  }

  static final String QUICK = "-XX:TieredStopAtLevel=1";

  /** The flags for a command line, as the launcher computes them (with its own shell options). */
  static String flags(String jit, String... commandLine) throws Exception {
    Map<String, String> env = jit == null ? Map.of() : Map.of("DVGS_JIT", jit);
    List<String> cmd = new ArrayList<>(List.of("bash", "-c", "set -euo pipefail; source submit/common.sh && dvgs_jit_opts \"$@\"", "jit"));
    cmd.addAll(List.of(commandLine));
    Result r = run(env, cmd.toArray(String[]::new));
    assertEquals(0, r.status(), r.out());
    return r.out();
  }

  @Test
  void autoIsQuickForTheDemoAndFullForEveryCommandButEvaluate() throws Exception {
    assertEquals(QUICK, flags(null, "demo"));
    assertEquals(QUICK, flags("auto", "demo", "--output", "x"));
    for (String command : new String[] {"value", "scale", "bench", "unique", "l1000", "ingest", "report"}) {
      assertEquals("", flags(null, command, "--config", "conf/experiments/adult-exp1.conf"), command);
    }
  }

  @Test
  void autoIsQuickForEvaluateUnlessTheConfigNamesAJavaHeavyBaseline(@TempDir Path dir) throws Exception {
    assertEquals(QUICK, flags(null, "evaluate", "--config", "conf/experiments/adult-exp1.conf", "--output", "/tmp/loo"));
    // Variants and the cheap baselines (target-loss, confident-learning, knn-shapley) ran faster with quick.
    assertEquals(QUICK, flags(null, "evaluate", "--config", "conf/experiments/quality-adult-flips.conf"));
    assertEquals(QUICK, flags(null, "evaluate", "-c", "conf/experiments/adult-exp1.conf", "-o", "/tmp/loo"));
    assertEquals("", flags(null, "evaluate", "-c", "conf/experiments/adult-baselines.conf"), "-c is --config");
    assertEquals("", flags(null, "evaluate", "--config", "conf/experiments/adult-baselines.conf"));
    assertEquals("", flags(null, "evaluate", "--config", "conf/experiments/adult-exp1.conf", "evaluation.methods=[dvgs,loo]"));
    assertEquals("", flags(null, "evaluate", "--config", "conf/experiments/adult-exp1.conf", "dvgs.evaluation.methods=[dvrl]"));
    // Through includes, relative to the including file; a whole-line comment does not count.
    Path inc = dir.resolve("sub/inc.conf");
    Files.createDirectories(inc.getParent());
    Files.writeString(inc, "# tmc-shapley is not run here\ndvgs.evaluation.methods = [dvgs, tmc-shapley]\n");
    Path top = dir.resolve("top.conf");
    Files.writeString(top, "# loo, dvrl\ninclude \"" + Path.of("conf/experiments/adult-exp1.conf").toAbsolutePath() + "\"\n");
    assertEquals(QUICK, flags(null, "evaluate", "--config", top.toString()));
    Files.writeString(top, "include required(file(\"sub/inc.conf\"))\n");
    assertEquals("", flags(null, "evaluate", "--config", top.toString()));
    // Includes that loop end.
    Files.writeString(inc, "include \"../top.conf\"\n");
    assertEquals(QUICK, flags(null, "evaluate", "--config", top.toString()));
    assertEquals("", flags("full", "evaluate", "--config", "conf/experiments/adult-exp1.conf"));
  }

  @Test
  void quickAndFullApplyToAnyCommand() throws Exception {
    assertEquals("-XX:TieredStopAtLevel=1", flags("quick", "evaluate"));
    assertEquals("", flags("full", "demo"));
  }

  @Test
  void anUnknownValueIsTheUsersInputAndStartsNothing() throws Exception {
    // A jar that does not exist: the launcher would build it (and say so) if the check came after the build.
    Result r = run(Map.of("DVGS_JIT", "fast", "DVGS_JAR", "target/no-such-dvgs.jar"), "submit/dvgs", "demo", "--output", "never-written");
    assertEquals(2, r.status(), r.out());
    assertTrue(r.out().contains("DVGS_JIT=fast is not one of auto, quick, full"), r.out());
    assertTrue(!r.out().contains("building"), "refused before the jar is built: " + r.out());
  }
}
