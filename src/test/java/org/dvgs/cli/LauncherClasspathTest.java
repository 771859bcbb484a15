package org.dvgs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * submit/dvgs resolves Spark's class path into {@code target/spark-classpath.txt} once per change of pom.xml, not on
 * every command: Maven's dependency plugin leaves an unchanged file untouched, so the launcher marks it fresh itself.
 */
class LauncherClasspathTest {
  @TempDir Path root;

  @Test
  void aClassPathResolvedAfterAPomChangeIsNotResolvedAgain() throws Exception {
    // A copy of the launcher and the pom in a directory of their own: the project's own files are never touched.
    for (String d : new String[] {"submit", "target", "src/main"}) {
      Files.createDirectories(root.resolve(d));
    }
    for (String f : new String[] {"submit/dvgs", "submit/common.sh", "pom.xml"}) {
      Files.copy(Path.of(f), root.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
    }
    // The application jar, newer than the pom so that the launcher does not build it; java only prints its version.
    Path fakeJar = Files.writeString(root.resolve("target/app.jar"), "");
    Instant now = Instant.now();
    Files.setLastModifiedTime(root.resolve("pom.xml"), FileTime.from(now.minusSeconds(3600)));
    Files.setLastModifiedTime(fakeJar, FileTime.from(now.minusSeconds(1800)));
    Path cp = root.resolve("target/spark-classpath.txt");
    // The first command resolves the class path (there is no file yet).
    String first = launch(root, fakeJar);
    assertTrue(Files.isRegularFile(cp), "resolved on the first command: " + first);
    String resolvedPath = Files.readString(cp);
    // What a checkout that rewrites pom.xml leaves: the same class path, older than the pom.
    Files.setLastModifiedTime(cp, FileTime.from(now.minusSeconds(7200)));

    String second = launch(root, fakeJar);
    assertEquals(resolvedPath, Files.readString(cp), "same class path");
    assertTrue(
        Files.getLastModifiedTime(cp).compareTo(Files.getLastModifiedTime(root.resolve("pom.xml"))) > 0,
        "the class path file is newer than pom.xml once resolved again: " + second);
    FileTime resolved = Files.getLastModifiedTime(cp);
    launch(root, fakeJar);
    assertEquals(resolved, Files.getLastModifiedTime(cp), "the third command did not resolve it again");
  }

  private static String launch(Path root, Path jar) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(root.resolve("submit/dvgs").toString(), "demo").redirectErrorStream(true);
    pb.environment().put("DVGS_JAR", jar.toString());
    pb.environment().put("DVGS_JAVA_OPTS", "-version");
    pb.environment().put("DVGS_CDS", "0");
    pb.environment().remove("DVGS_JIT");
    pb.directory(new File(System.getProperty("user.dir")));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }
}
