package org.dvgs.aggregation;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;

/**
 * Counts the rows of a written Parquet table from its files' footers (each footer holds its row groups' row
 * counts), so the numbers a manifest reports are those of the files on disk, without a Spark job or reading data.
 */
public final class WrittenRows {
  private WrittenRows() {}

  /**
   * Rows in the Parquet data files directly under {@code dir} (names starting with {@code _} or {@code .} are
   * Spark's markers and checksums, not data).
   */
  public static long count(Configuration hadoop, String dir) {
    Path p = new Path(dir);
    try {
      FileSystem fs = p.getFileSystem(hadoop);
      long rows = 0;
      for (FileStatus f : fs.listStatus(p)) {
        String name = f.getPath().getName();
        if (!f.isFile() || name.startsWith("_") || name.startsWith(".")) {
          continue;
        }
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromStatus(f, hadoop))) {
          rows += r.getRecordCount();
        }
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the footers of the table written under " + dir + ": " + e.getMessage(), e);
    }
  }
}
