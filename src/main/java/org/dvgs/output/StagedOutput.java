package org.dvgs.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;

/**
 * Commits a run's tables all at once. Each table is written in full under {@code <output>/_staging/}, which readers
 * skip (Spark ignores paths starting with {@code _}), and only then moved into place as the partition
 * {@code <output>/<table>/run_id=<id>/} by one directory rename per table. A run that fails before the rename leaves
 * no partition behind; the manifest, written after the rename, is the mark of a complete run.
 *
 * <p>A directory rename is atomic on HDFS and on local file systems. On object stores whose rename is a copy
 * (s3a, gs), readers should go by the manifest, which names every file of the partition.
 */
public final class StagedOutput {
  /** Name of the staging directory under the output; starts with {@code _} so that Spark readers skip it. */
  public static final String STAGING = "_staging";

  private final FileSystem fs;
  private final Path out;
  private final String partition;

  public StagedOutput(Configuration hadoop, String out, String runId) {
    this.out = new Path(out);
    this.partition = partitionDir(runId);
    try {
      this.fs = this.out.getFileSystem(hadoop);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open output " + out + ": " + e.getMessage(), e);
    }
  }

  /** The partition directory name for a run id, escaped as Spark escapes partition values. */
  public static String partitionDir(String runId) {
    return "run_id=" + ExternalCatalogUtils.escapePathName(runId);
  }

  /** Where to write {@code table} before the commit. */
  public String staged(String table) {
    return new Path(new Path(new Path(out, STAGING), table), partition).toString();
  }

  /** Where to write the unpartitioned {@code table} before {@link #commitTables}: {@code <output>/_staging/<table>}. */
  public String stagedTable(String table) {
    return new Path(new Path(out, STAGING), table).toString();
  }

  /**
   * Moves the staged unpartitioned tables to {@code <output>/<table>}, in the given order (an earlier table of the
   * same name, which the output's claim allowed replacing, is removed first), then removes the staging directory.
   */
  public void commitTables(List<String> tables) {
    try {
      for (String table : tables) {
        Path src = new Path(stagedTable(table));
        Path dst = new Path(out, table);
        if (!fs.exists(src)) {
          throw new IOException("staged table " + src + " is missing");
        }
        if (fs.exists(dst)) {
          fs.delete(dst, true);
        }
        if (!fs.rename(src, dst)) {
          throw new IOException("rename " + src + " -> " + dst + " failed");
        }
      }
      fs.delete(new Path(out, STAGING), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit the tables of " + out + ": " + e.getMessage(), e);
    }
  }

  /** The committed partition of {@code table}: {@code <output>/<table>/run_id=<id>}. */
  public String partition(String table) {
    return new Path(new Path(out, table), partition).toString();
  }

  /** The table root: {@code <output>/<table>}. */
  public String root(String table) {
    return new Path(out, table).toString();
  }

  /**
   * Moves the staged tables into place, in the given order, and returns the data files of each (file names in the
   * partition directory, sorted). The staging directory is removed afterwards.
   */
  public List<List<String>> commit(List<String> tables) {
    List<List<String>> files = new ArrayList<>();
    try {
      for (String table : tables) {
        Path src = new Path(staged(table));
        Path dst = new Path(partition(table));
        if (!fs.exists(src)) {
          throw new IOException("staged table " + src + " is missing");
        }
        fs.mkdirs(dst.getParent());
        if (fs.exists(dst)) {
          fs.delete(dst, true);
        }
        if (!fs.rename(src, dst)) {
          throw new IOException("rename " + src + " -> " + dst + " failed");
        }
        files.add(dataFiles(dst));
      }
      fs.delete(new Path(out, STAGING), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot commit the tables of " + out + ": " + e.getMessage(), e);
    }
    return files;
  }

  private List<String> dataFiles(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    for (FileStatus f : fs.listStatus(dir)) {
      String n = f.getPath().getName();
      if (f.isFile() && !n.startsWith("_") && !n.startsWith(".")) {
        names.add(n);
      }
    }
    names.sort(null);
    return names;
  }
}
