package org.dvgs.io;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.dvgs.config.TableConfig;
import org.dvgs.config.TableFormat;

/**
 * Reads Parquet or CSV tables and turns them into {@link CanonicalRow}s.
 *
 * <p>Generated ids: when a table has no id column, a row's id is its 0-based position in the table, counting
 * files in path order and rows in file order. It is computed from the file and split each row comes from, so it
 * does not change with the number of partitions or executors, and re-reading the same files gives the same ids.
 */
public final class TableReader {
  private static final String FILE_COL = "__dvgs_file";
  private static final String BLOCK_COL = "__dvgs_block";

  private TableReader() {}

  /** The format a table is read with. */
  public static TableFormat formatOf(TableConfig t) {
    if (t.format() != TableFormat.AUTO) {
      return t.format();
    }
    String p = t.path().toLowerCase(Locale.ROOT);
    return p.endsWith(".csv") || p.endsWith(".csv.gz") || p.endsWith(".tsv") ? TableFormat.CSV : TableFormat.PARQUET;
  }

  /**
   * Reads a table; a missing path is an error naming the path and the config key.
   *
   * @param role "source" or "target", for messages
   */
  public static Dataset<Row> read(SparkSession spark, TableConfig t, String role) {
    Path path = new Path(t.path());
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(path)) {
        throw new InputException(role + " table " + t.path() + " (dvgs.input." + role + ".path) does not exist");
      }
    } catch (IOException e) {
      throw new InputException("cannot access " + role + " table " + t.path() + ": " + e.getMessage(), e);
    }
    try {
      if (formatOf(t) == TableFormat.CSV) {
        Map<String, String> opts = new HashMap<>();
        opts.put("header", "true");
        // Cells are parsed by ColumnPlan, which names the column and value of a bad cell; inferring types
        // would cost an extra pass over the files.
        opts.put("inferSchema", "false");
        opts.put("mode", "PERMISSIVE");
        opts.putAll(t.options());
        return spark.read().options(opts).csv(t.path());
      }
      return spark.read().options(t.options()).parquet(t.path());
    } catch (RuntimeException e) {
      throw new InputException("cannot read " + role + " table " + t.path() + " as " + formatOf(t).name().toLowerCase(Locale.ROOT) + ": " + e.getMessage(), e);
    }
  }

  /** Converts a table to canonical rows (generating ids when the plan has no id column). */
  public static JavaRDD<CanonicalRow> canonical(Dataset<Row> df, ColumnPlan plan) {
    if (plan.hasIdColumn()) {
      return df.javaRDD().mapPartitionsWithIndex(new Convert(plan), true);
    }
    Dataset<Row> withSplit =
        df.select(
            functions.col("*"),
            functions.col("_metadata.file_path").as(FILE_COL),
            functions.col("_metadata.file_block_start").as(BLOCK_COL));
    JavaRDD<Row> rdd = withSplit.javaRDD();
    int fileIdx = withSplit.schema().fieldIndex(FILE_COL);
    int blockIdx = withSplit.schema().fieldIndex(BLOCK_COL);
    List<SplitCount> counts = rdd.mapPartitionsWithIndex(new CountSplits(fileIdx, blockIdx), false).collect();
    List<SplitCount> sorted = new ArrayList<>(counts);
    sorted.sort(Comparator.comparing(SplitCount::file).thenComparingLong(SplitCount::block));
    Map<String, Long> offsets = new HashMap<>();
    long next = 0;
    for (SplitCount s : sorted) {
      String key = s.file + "\u0000" + s.block;
      if (offsets.containsKey(key)) {
        throw new IllegalStateException("file split " + s.file + "@" + s.block + " was read by two partitions");
      }
      offsets.put(key, next);
      next += s.count;
    }
    return rdd.mapPartitionsWithIndex(new AssignIds(plan, offsets, fileIdx, blockIdx), true);
  }

  /** Rows of one file split seen by one partition. */
  record SplitCount(String file, long block, long count) implements Serializable {}

  /** Converts rows of a table with an id column; a row's position in its partition names a row whose id is null. */
  private static final class Convert implements Function2<Integer, Iterator<Row>, Iterator<CanonicalRow>> {
    private static final long serialVersionUID = 1L;
    private final ColumnPlan plan;

    Convert(ColumnPlan plan) {
      this.plan = plan;
    }

    @Override
    public Iterator<CanonicalRow> call(Integer partition, Iterator<Row> rows) {
      return new Iterator<>() {
        long n;

        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public CanonicalRow next() {
          return plan.convertWithId(rows.next(), partition, n++);
        }
      };
    }
  }

  private static final class CountSplits implements Function2<Integer, Iterator<Row>, Iterator<SplitCount>> {
    private static final long serialVersionUID = 1L;
    private final int fileIdx;
    private final int blockIdx;

    CountSplits(int fileIdx, int blockIdx) {
      this.fileIdx = fileIdx;
      this.blockIdx = blockIdx;
    }

    @Override
    public Iterator<SplitCount> call(Integer partition, Iterator<Row> rows) {
      List<SplitCount> out = new ArrayList<>();
      String file = null;
      long block = -1;
      long n = 0;
      while (rows.hasNext()) {
        Row r = rows.next();
        String f = r.getString(fileIdx);
        long b = r.getLong(blockIdx);
        if (!f.equals(file) || b != block) {
          if (file != null) {
            out.add(new SplitCount(file, block, n));
          }
          file = f;
          block = b;
          n = 0;
        }
        n++;
      }
      if (file != null) {
        out.add(new SplitCount(file, block, n));
      }
      return out.iterator();
    }
  }

  private static final class AssignIds implements Function2<Integer, Iterator<Row>, Iterator<CanonicalRow>> {
    private static final long serialVersionUID = 1L;
    private final ColumnPlan plan;
    private final Map<String, Long> offsets;
    private final int fileIdx;
    private final int blockIdx;

    AssignIds(ColumnPlan plan, Map<String, Long> offsets, int fileIdx, int blockIdx) {
      this.plan = plan;
      this.offsets = offsets;
      this.fileIdx = fileIdx;
      this.blockIdx = blockIdx;
    }

    @Override
    public Iterator<CanonicalRow> call(Integer partition, Iterator<Row> rows) {
      return new Iterator<>() {
        String file;
        long block = -1;
        long next;

        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public CanonicalRow next() {
          Row r = rows.next();
          String f = r.getString(fileIdx);
          long b = r.getLong(blockIdx);
          if (!f.equals(file) || b != block) {
            file = f;
            block = b;
            next = offsets.get(f + "\u0000" + b);
          }
          return plan.convert(r, Long.toString(next++));
        }
      };
    }
  }
}
