package org.dvgs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** submit/dvgs's choice of the JVM's compilers (DVGS_JIT): quick for the demo, full otherwise, a bad value refused. */
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

  static String flags(String jit, String command) throws Exception {
    Map<String, String> env = jit == null ? Map.of() : Map.of("DVGS_JIT", jit);
    Result r = run(env, "bash", "-c", "source submit/common.sh && dvgs_jit_opts \"$0\"", command);
    assertEquals(0, r.status(), r.out());
    return r.out();
  }

  @Test
  void autoIsQuickForTheDemoAndFullForEveryOtherCommand() throws Exception {
    assertEquals("-XX:TieredStopAtLevel=1", flags(null, "demo"));
    assertEquals("-XX:TieredStopAtLevel=1", flags("auto", "demo"));
    for (String command : new String[] {"evaluate", "value", "scale", "bench", "unique", "l1000", "ingest", "report"}) {
      assertEquals("", flags(null, command), command);
    }
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
