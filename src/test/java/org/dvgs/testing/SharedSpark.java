package org.dvgs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The one SparkSession all tests share (local[2], UI off), created on first use and stopped at JVM exit, so the
 * suite pays Spark's start-up once.
 */
public final class SharedSpark {
  private static SparkSession spark;

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
              .getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> spark.stop()));
    }
    return spark;
  }

  public static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory("dvgs-" + prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
