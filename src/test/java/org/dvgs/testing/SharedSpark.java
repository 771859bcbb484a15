package org.dvgs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession all tests share (local[2], UI off), created on first use and stopped at JVM exit, so the
 * suite pays Spark's start-up once; and the tests' temporary directories, deleted at JVM exit (a suite run made
 * dozens, and they used to stay in the system's temporary directory).
 */
public final class SharedSpark {
  private static SparkSession spark;
  private static final List<Path> CREATED = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(SharedSpark::deleteCreated, "dvgs-test-temp-cleanup"));
  }

  private SharedSpark() {}

  public static synchronized SparkSession get() {
    if (spark == null) {
      spark =
          SparkSession.builder()
              .master("local[2]")
              .appName("dvgs-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "4")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.sql.warehouse.dir", tempDir("warehouse").toString())
              // As the sessions dvgs creates have it (Sessions.conf).
              .config("spark.hadoop.fs.file.impl", org.dvgs.io.PosixLocalFileSystem.class.getName())
              .getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> spark.stop()));
    }
    return spark;
  }

  /** A new directory under the system's temporary directory, deleted with its contents when the JVM exits. */
  public static Path tempDir(String prefix) {
    try {
      Path dir = Files.createTempDirectory("dvgs-" + prefix);
      CREATED.add(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes the directories {@link #tempDir} created; a file that cannot be deleted is left (best effort at exit). */
  private static void deleteCreated() {
    for (Path dir : CREATED) {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        // Already gone, or being written by a Spark thread still stopping: nothing to do at exit.
      }
    }
  }
}
