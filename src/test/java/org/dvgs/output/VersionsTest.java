package org.dvgs.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.dvgs.testing.ChildDriver;
import org.junit.jupiter.api.Test;

/** The JVM's compilers in a manifest's versions: what HotSpot's options say, in this JVM and in a child started as the launcher's quick mode starts one. */
class VersionsTest {

  @Test
  void namesTheCompilersOfHotSpotsOptions() {
    assertEquals("c1+c2", Versions.javaCompilers("true", "4"));
    assertEquals("c1", Versions.javaCompilers("true", "1"));
    assertEquals("c1", Versions.javaCompilers("true", "3"));
    assertEquals("interpreter", Versions.javaCompilers("true", "0"));
    assertEquals("c2", Versions.javaCompilers("false", "4"));
  }

  @Test
  void thisJvmsCompilersFollowItsFlags() {
    boolean quick = ManagementFactory.getRuntimeMXBean().getInputArguments().stream().anyMatch(a -> a.startsWith("-XX:TieredStopAtLevel=") && !a.endsWith("=4"));
    assertEquals(quick ? "c1" : "c1+c2", Versions.runningJavaCompilers());
  }

  @Test
  void aJvmStartedQuickSaysC1() throws Exception {
    assertEquals("c1", childSays("-XX:TieredStopAtLevel=1"));
    assertEquals("c2", childSays("-XX:-TieredCompilation"));
  }

  @Test
  void anOldManifestHasNoCompilersAndANewOneWritesThem() {
    Versions old = ManifestCodec.fromJson(
        "{\"dvgs_spark\":\"0.1.0\",\"spark\":\"4.1.0\",\"scala\":\"2.13.17\",\"java\":\"17\",\"djl\":\"0.35.1\",\"pytorch\":\"2.7.1\"}", Versions.class);
    assertNull(old.javaCompilers(), "an old manifest is not given this JVM's compilers");
    assertFalse(ManifestCodec.toJson(old).contains("java_compilers"));
    Versions now = new Versions("0.1.0", "4.1.0", "2.13.17", "17", "0.35.1", "2.7.1", "c1");
    assertTrue(ManifestCodec.toJson(now).contains("\"java_compilers\""), ManifestCodec.toJson(now));
    assertEquals(now, ManifestCodec.fromJson(ManifestCodec.toJson(now), Versions.class));
  }

  private static String childSays(String flag) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add(flag);
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, ChildDriver.classPath()));
    cmd.add(Print.class.getName());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not end");
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  /** The child's main: prints its compilers. */
  public static final class Print {
    private Print() {}

    public static void main(String[] args) {
      System.out.println(Versions.runningJavaCompilers());
    }
  }
}
