package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.apache.spark.SparkConf;
import org.dvgs.config.SparkSettings;
import org.dvgs.io.PosixLocalFileSystem;
import org.junit.jupiter.api.Test;

/** The settings dvgs adds to the sessions it creates, and that the user's own win. */
class SessionsConfTest {
  @Test
  void localFilesGoThroughPosixLocalFileSystemUnlessTheUserNamesAnother() {
    SparkConf conf = Sessions.conf(new SparkSettings("local[2]", "dvgs", Map.of()));
    assertEquals(PosixLocalFileSystem.class.getName(), conf.get("spark.hadoop.fs.file.impl"));
    SparkConf own = Sessions.conf(new SparkSettings("local[2]", "dvgs", Map.of("spark.hadoop.fs.file.impl", "org.apache.hadoop.fs.LocalFileSystem")));
    assertEquals("org.apache.hadoop.fs.LocalFileSystem", own.get("spark.hadoop.fs.file.impl"));
  }
}
