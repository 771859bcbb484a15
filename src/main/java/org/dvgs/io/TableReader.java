package org.dvgs.io;

import com.univocity.parsers.csv.CsvParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.catalyst.csv.CSVOptions;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.dvgs.config.TableConfig;
import org.dvgs.config.TableFormat;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.InputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Parquet or CSV tables and turns them into {@link CanonicalRow}s.
 *
 * <p>Every table comes back with hidden columns that name each row by its file and its 1-based row number in that
 * file ({@link #FILE}, {@link #ROW}), so that a row without an id, or a CSV line that does not parse, is named
 * where the user can find it. Parquet takes the row number from the reader's row index. A CSV split can start in
 * the middle of a file, so CSV is read twice: once to count the rows of every file split (each split is read whole
 * by one task), then again with each row numbered from its split's offset; rows are records after the header,
 * blank lines not counted. A small table read with {@link #readHeld} is parsed once, its lines kept in memory for the
 * second pass.
 *
 * <p>CSV lines that do not parse into the header's columns (too many or too few fields, broken quoting) are kept:
 * Spark's PERMISSIVE mode puts the raw line into {@link #CORRUPT}, and {@link ColumnPlan} rejects the row with a
 * reason naming the file, row and line. With {@code mode = FAILFAST} the first such line stops the read instead;
 * {@code DROPMALFORMED}, which would drop lines without a trace, is refused when the config is read. A table of
 * several CSV files is read with the first file's header (Spark maps fields by position), so each file's header is
 * checked against the first one's.
 *
 * <p>Generated ids: when a table has no id column, a row's id is its 0-based position in the table, counting
 * files in path order and rows in file order. It is computed from the file and row, so it does not change with the
 * number of partitions or executors, and re-reading the same files gives the same ids.
 */
public final class TableReader {
  private static final Logger LOG = LoggerFactory.getLogger(TableReader.class);

  /** Hidden column (CSV): for a line that did not parse, what is wrong with it and its text; null otherwise. */
  public static final String CORRUPT = "__dvgs_corrupt";
  /** Hidden column: the file a row was read from. */
  public static final String FILE = "__dvgs_file";
  /** Hidden column: the row's 1-based number in its file. */
  public static final String ROW = "__dvgs_row";
  /** Hidden column (CSV): the row's 0-based position in the whole table. */
  public static final String POSITION = "__dvgs_position";
  /** Every hidden column {@link #read} may add. */
  public static final List<String> HIDDEN = List.of(CORRUPT, FILE, ROW, POSITION);

  private static final String BLOCK = "__dvgs_block";
  /** Header files read at once when checking a table of many CSV files. */
  private static final int HEADER_THREADS = 8;

  /**
   * The numbered rows behind each CSV table {@link #read} returned, by table (identity; weak, so a table no one
   * holds is forgotten). {@link #canonical} converts these rows directly: going through the table instead would
   * encode every cell of every row into Spark's binary format and decode it again, which costs more than parsing
   * the CSV on a small job (the first time a wide table is read the generated encoder runs cold).
   */
  private static final Map<Dataset<Row>, JavaRDD<Row>> NUMBERED = Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * The parsed lines {@link #readHeld} keeps in memory for its table, by table (identity; weak), until
   * {@link #release}.
   */
  private static final Map<Dataset<Row>, JavaRDD<InternalRow>> HELD = Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * The largest CSV table (bytes of its files, uncompressed) whose parsed lines {@link #readHeld} keeps between its
   * two passes. Spark's copy of a line takes 16 bytes per cell or more (an offset word and the padded text), so a
   * table of one-character cells grows eightfold: 16 MiB of text stays near 128 MiB of memory. Larger tables are
   * parsed twice, which costs time rather than memory.
   */
  static final long HOLD_LIMIT_BYTES = 16L << 20;

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
   * Reads a table with its hidden row-naming columns; a missing path is an error naming the path and the config
   * key, a CSV table with no header line is an error naming the table.
   *
   * @param role "source" or "target", for messages
   */
  public static Dataset<Row> read(SparkSession spark, TableConfig t, String role) {
    return read(spark, t, role, 0);
  }

  /**
   * As {@link #read}, but a CSV table of at most {@link #HOLD_LIMIT_BYTES} is parsed once: the first pass (which
   * counts the rows of each file split) keeps its parsed lines in memory, and the second (which numbers them) reads
   * those. The rows are the same either way; only the parsing is not done twice. Call {@link #release} once the
   * table's rows have been converted and kept: until then its lines take memory (Spark drops them under memory
   * pressure, and a dropped partition is parsed again from its file).
   */
  public static Dataset<Row> readHeld(SparkSession spark, TableConfig t, String role) {
    return read(spark, t, role, HOLD_LIMIT_BYTES);
  }

  /** Frees the parsed lines {@link #readHeld} kept for a table; a no-op for any other table. */
  public static void release(Dataset<Row> table) {
    JavaRDD<InternalRow> held = table == null ? null : HELD.remove(table);
    if (held != null) {
      held.unpersist(false);
    }
  }

  /** As {@link #read}; a CSV table of at most {@code holdBytes} is parsed once (see {@link #readHeld}). */
  static Dataset<Row> read(SparkSession spark, TableConfig t, String role, long holdBytes) {
    Path path = new Path(t.path());
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(path)) {
        throw new InputException(role + " table " + t.path() + " (dvgs.input." + role + ".path) does not exist");
      }
    } catch (IOException e) {
      throw new InputException("cannot access " + role + " table " + t.path() + ": " + e.getMessage(), e);
    }
    String name = role + " table " + t.path();
    if (formatOf(t) == TableFormat.CSV) {
      return readCsv(spark, t, name, holdBytes);
    }
    Dataset<Row> df;
    try {
      df = spark.read().options(t.options()).parquet(t.path());
    } catch (RuntimeException e) {
      throw new InputException("cannot read " + name + " as parquet: " + e.getMessage(), e);
    }
    reserved(df.schema(), name);
    Column meta = df.metadataColumn("_metadata");
    return df.select(functions.col("*"), meta.getField("file_path").as(FILE), meta.getField("row_index").plus(1).as(ROW));
  }

  /** The table without the hidden columns {@link #read} adds. */
  public static Dataset<Row> userColumns(Dataset<Row> df) {
    return df.drop(HIDDEN.toArray(new String[0]));
  }

  /** Whether a column is one of the hidden columns {@link #read} adds. */
  public static boolean hidden(String column) {
    return HIDDEN.contains(column);
  }

  private static void reserved(StructType schema, String name) {
    for (String c : schema.fieldNames()) {
      if (c.startsWith("__dvgs_")) {
        throw new InputException(name + ": column '" + Printable.of(c) + "' uses the prefix __dvgs_, which dvgs reserves for its own columns");
      }
    }
  }

  private static Dataset<Row> readCsv(SparkSession spark, TableConfig t, String name, long holdBytes) {
    Map<String, String> opts = new LinkedHashMap<>();
    opts.put("header", "true");
    // Cells are parsed by ColumnPlan, which names the column and value of a bad cell; inferring types would cost
    // an extra pass over the files.
    opts.put("inferSchema", "false");
    String mode = "PERMISSIVE";
    for (Map.Entry<String, String> e : t.options().entrySet()) {
      if (e.getKey().equalsIgnoreCase("mode")) {
        mode = e.getValue().trim().toUpperCase(Locale.ROOT);
      } else {
        put(opts, e.getKey(), e.getValue());
      }
    }
    if (!mode.equals("PERMISSIVE") && !mode.equals("FAILFAST")) {
      // TableConfig refuses other modes when the config is read; this guards callers that build one by hand.
      throw new IllegalArgumentException("CSV mode " + mode + " is not supported");
    }
    boolean failFast = mode.equals("FAILFAST");
    // Malformed lines are always read (and then rejected or, in FAILFAST, reported) by dvgs itself.
    put(opts, "mode", "PERMISSIVE");
    put(opts, "columnNameOfCorruptRecord", CORRUPT);
    StructType header;
    try {
      header = spark.read().options(opts).csv(t.path()).schema();
    } catch (RuntimeException e) {
      throw new InputException("cannot read " + name + " as csv: " + e.getMessage(), e);
    }
    List<StructField> fields = new ArrayList<>();
    for (StructField f : header.fields()) {
      if (!f.name().equals(CORRUPT)) {
        fields.add(f);
      }
    }
    header = DataTypes.createStructType(fields);
    if (header.fields().length == 0) {
      throw new InputException(name + " is empty: no header line and no rows");
    }
    reserved(header, name);
    CSVOptions parsed = new CSVOptions(scala.collection.immutable.Map$.MODULE$.from(scala.jdk.javaapi.CollectionConverters.asScala(opts)), false, "UTC");
    Dataset<Row> scan = spark.read().options(opts).schema(header.add(CORRUPT, DataTypes.StringType, true)).csv(t.path());
    String[] files = scan.inputFiles();
    if (parsed.headerFlag()) {
      checkHeaders(spark.sparkContext().hadoopConfiguration(), files, parsed, name);
    }
    // Only a header of strings is numbered from the scan's own rows (see numbered), so only then can they be kept.
    boolean hold = holdBytes > 0 && allStrings(header)
        && uncompressedBytes(spark.sparkContext().hadoopConfiguration(), files, holdBytes) <= holdBytes;
    return numbered(spark, scan, header, parsed, failFast, name, hold);
  }

  /**
   * The bytes of the files, or {@code Long.MAX_VALUE} once they pass {@code limit} or when a file is compressed
   * (its text size is not known without reading it).
   */
  private static long uncompressedBytes(Configuration hadoop, String[] files, long limit) {
    CompressionCodecFactory codecs = new CompressionCodecFactory(hadoop);
    long total = 0;
    try {
      for (String f : files) {
        Path p = new Path(f);
        if (codecs.getCodec(p) != null) {
          return Long.MAX_VALUE;
        }
        total += p.getFileSystem(hadoop).getFileStatus(p).getLen();
        if (total > limit) {
          return Long.MAX_VALUE;
        }
      }
    } catch (IOException e) {
      // Only the choice of one parse or two hangs on it; reading the table reports what is wrong with its files.
      return Long.MAX_VALUE;
    }
    return total;
  }

  /** Sets a reader option, replacing any spelling of the same key (Spark's option keys ignore case). */
  private static void put(Map<String, String> opts, String key, String value) {
    opts.keySet().removeIf(k -> k.equalsIgnoreCase(key));
    opts.put(key, value);
  }

  /** Counts the rows of every file split, then numbers each row from its split's offset. */
  private static Dataset<Row> numbered(
      SparkSession spark, Dataset<Row> scan, StructType header, CSVOptions o, boolean failFast, String name, boolean hold) {
    Column meta = scan.metadataColumn("_metadata");
    // Every column is selected: with only some of them Spark's parser does not flag lines with too many fields.
    Dataset<Row> withSplit = scan.select(functions.col("*"), meta.getField("file_path").as(FILE), meta.getField("file_block_start").as(BLOCK));
    int n = header.fields().length;
    Shape shape = new Shape(n, o.delimiter(), o.asParserSettings().getFormat().getQuote());
    JavaRDD<InternalRow> lines = internalRows(withSplit);
    if (hold) {
      // The scan reuses one row object per line: a kept line must be a copy. MEMORY_ONLY, as a partition Spark
      // cannot keep is parsed again from its file, to the same rows.
      lines = lines.map(TableReader::copyOf).persist(StorageLevel.MEMORY_ONLY());
    }
    try {
      return numberedFrom(spark, lines, withSplit, header, shape, failFast, name, hold);
    } catch (RuntimeException e) {
      if (hold) {
        lines.unpersist(false);
      }
      throw e;
    }
  }

  private static Dataset<Row> numberedFrom(
      SparkSession spark, JavaRDD<InternalRow> lines, Dataset<Row> withSplit, StructType header, Shape shape, boolean failFast, String name,
      boolean hold) {
    int n = header.fields().length;
    List<SplitCount> counts;
    try {
      // Spark's own rows: counting needs three of the columns, so the others are not decoded into Java strings.
      counts = lines.mapPartitions(new CountSplits(n, n + 1, n + 2)).collect();
    } catch (Exception e) {
      throw InputException.rethrow(e);
    }
    List<SplitCount> sorted = new ArrayList<>(counts);
    sorted.sort(Comparator.comparing(SplitCount::file).thenComparingLong(SplitCount::block));
    Map<String, long[]> offsets = new HashMap<>();
    long position = 0;
    long inFile = 0;
    long malformed = 0;
    String file = null;
    for (SplitCount s : sorted) {
      if (!s.file().equals(file)) {
        file = s.file();
        inFile = 0;
      }
      if (offsets.put(s.file() + "\u0000" + s.block(), new long[] {inFile, position}) != null) {
        throw new IllegalStateException("file split " + s.file() + "@" + s.block() + " was read by two partitions");
      }
      if (s.malformed() > 0 && failFast) {
        throw new InputException(
            name + ": " + s.file() + " row " + (inFile + s.firstMalformed() + 1) + " is a malformed CSV line (mode FAILFAST): "
                + shape.describe(s.firstMalformedText()));
      }
      malformed += s.malformed();
      inFile += s.count();
      position += s.count();
    }
    if (malformed > 0) {
      LOG.warn("{}: {} malformed CSV lines; each is rejected with its file and row", name, malformed);
    }
    StructType schema = header.add(CORRUPT, DataTypes.StringType, true)
        .add(FILE, DataTypes.StringType, false)
        .add(ROW, DataTypes.LongType, false)
        .add(POSITION, DataTypes.LongType, false);
    boolean allStrings = allStrings(header);
    // A header of strings (always, unless the user's options infer types) is decoded by NumberRows itself, in one
    // loop, rather than by the generated decoder of a wide row, which runs cold on a small job.
    JavaRDD<Row> rows = allStrings
        ? lines.mapPartitions(new NumberRows<>(offsets, n, shape, schema, TableReader::stringsOf), true)
        : withSplit.javaRDD().mapPartitions(new NumberRows<>(offsets, n, shape, schema, TableReader::valuesOf), true);
    Dataset<Row> table = spark.createDataFrame(rows, schema);
    NUMBERED.put(table, rows);
    if (hold) {
      HELD.put(table, lines);
    }
    return table;
  }

  private static boolean allStrings(StructType header) {
    for (StructField f : header.fields()) {
      if (!f.dataType().equals(DataTypes.StringType)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Checks that every file of a CSV table has the first file's header (files in path order; empty files have
   * none). Spark reads all files with one schema and maps fields by position, so a file with its columns in
   * another order would be read with its values under the wrong names.
   */
  private static void checkHeaders(Configuration hadoop, String[] files, CSVOptions o, String name) {
    if (files.length < 2) {
      return;
    }
    String[] sorted = files.clone();
    Arrays.sort(sorted);
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(HEADER_THREADS, sorted.length), r -> {
      Thread th = new Thread(r, "dvgs-csv-header");
      th.setDaemon(true);
      return th;
    });
    try {
      List<Future<List<String>>> headers = new ArrayList<>();
      for (String f : sorted) {
        headers.add(pool.submit(() -> header(f, hadoop, o)));
      }
      List<String> first = null;
      String firstFile = null;
      for (int i = 0; i < sorted.length; i++) {
        List<String> h;
        try {
          h = headers.get(i).get();
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          throw c instanceof InputException ie ? ie : new InputException(name + ": cannot read the header of " + display(sorted[i]) + ": " + c.getMessage(), c);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while checking the headers of " + name, e);
        }
        if (h == null) {
          continue;
        }
        if (first == null) {
          first = h;
          firstFile = sorted[i];
        } else if (!sameHeader(first, h)) {
          throw new InputException(
              name + ": the header of " + display(sorted[i]) + " " + Printable.names(h) + " differs from the header of "
                  + display(firstFile) + " " + Printable.names(first) + "; every file of a table needs the same columns in the same order");
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static String display(String file) {
    return new Path(file).toString();
  }

  /** Spark compares header names without case unless told otherwise; so does this check. */
  private static boolean sameHeader(List<String> a, List<String> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!a.get(i).equalsIgnoreCase(b.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** The first record of a CSV file, parsed with the table's options, or null for a file without one. */
  private static List<String> header(String file, Configuration hadoop, CSVOptions o) throws IOException {
    Path p = new Path(file);
    FileSystem fs = p.getFileSystem(hadoop);
    InputStream in = fs.open(p);
    CompressionCodec codec = new CompressionCodecFactory(hadoop).getCodec(p);
    if (codec != null) {
      in = codec.createInputStream(in);
    }
    try (Reader r = new InputStreamReader(in, Charset.forName(o.charset()))) {
      CsvParser parser = new CsvParser(o.asParserSettings());
      String[] tokens = null;
      if (o.multiLine()) {
        parser.beginParsing(r);
        tokens = parser.parseNext();
        parser.stopParsing();
      } else {
        // As Spark does: the header is the first line that is neither blank nor a comment.
        BufferedReader lines = new BufferedReader(r);
        String line;
        while ((line = lines.readLine()) != null) {
          if (line.trim().isEmpty() || (o.isCommentSet() && line.startsWith(String.valueOf(o.comment())))) {
            continue;
          }
          tokens = parser.parseLine(line);
          break;
        }
      }
      if (tokens == null) {
        return null;
      }
      List<String> out = new ArrayList<>(tokens.length);
      for (String s : tokens) {
        out.add(s == null ? "" : s);
      }
      return out;
    }
  }

  /**
   * Converts a table from {@link #read} to canonical rows (generating ids when the plan has no id column). The
   * table may be filtered (rows keep their file and row), but generated ids need the whole table.
   */
  public static JavaRDD<CanonicalRow> canonical(Dataset<Row> df, ColumnPlan plan) {
    Map<String, Long> fileOffsets = fileOffsets(df, plan);
    // The same rows in the same partitions as df.javaRDD(), without encoding them into the table and back.
    JavaRDD<Row> numbered = NUMBERED.get(df);
    JavaRDD<Row> rows = numbered != null ? numbered : df.javaRDD();
    return rows.mapPartitionsWithIndex(new Convert(plan, fileOffsets), true);
  }

  /**
   * Rows before each file of the table (files in path order), which generated ids of a Parquet table without an id
   * column need ({@link ColumnPlan#convert}); null when the plan does not need them. Counting them is one Spark job.
   */
  public static Map<String, Long> fileOffsets(Dataset<Row> df, ColumnPlan plan) {
    if (!plan.needsFileOffsets()) {
      return null;
    }
    // Parquet without an id column: a row's position is the rows of the files before it plus its row index.
    List<Row> perFile;
    try {
      perFile = df.groupBy(FILE).count().collectAsList();
    } catch (Exception e) {
      throw InputException.rethrow(e);
    }
    List<Row> files = new ArrayList<>(perFile);
    files.sort(Comparator.comparing(r -> r.getString(0)));
    Map<String, Long> fileOffsets = new HashMap<>();
    long next = 0;
    for (Row r : files) {
      fileOffsets.put(r.getString(0), next);
      next += r.getLong(1);
    }
    return fileOffsets;
  }

  /** The first values of a row, as Java values. */
  @FunctionalInterface
  private interface Fields<R> extends Serializable {
    Object[] of(R row, int n);
  }

  /** A scan's rows as Spark holds them, without decoding them into Java rows. */
  private static JavaRDD<InternalRow> internalRows(Dataset<Row> scan) {
    return scan.queryExecution().toRdd().toJavaRDD();
  }

  private static InternalRow copyOf(InternalRow r) {
    return r.copy();
  }

  /** The first n values of a row whose first n - 1 columns are strings and whose last is a long. */
  private static Object[] stringsOf(InternalRow r, int n) {
    Object[] v = new Object[n];
    for (int i = 0; i < n - 1; i++) {
      v[i] = r.isNullAt(i) ? null : r.getUTF8String(i).toString();
    }
    v[n - 1] = r.getLong(n - 1);
    return v;
  }

  /** The first n values of a Java row. */
  private static Object[] valuesOf(Row r, int n) {
    Object[] v = new Object[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.get(i);
    }
    return v;
  }

  /** Rows of one file split seen by one partition, and its first malformed line (CSV). */
  record SplitCount(String file, long block, long count, long malformed, long firstMalformed, String firstMalformedText) implements Serializable {}

  /** How a malformed CSV line differs from the header, for reject reasons. */
  static final class Shape implements Serializable {
    private static final long serialVersionUID = 1L;
    private final int fields;
    private final String delimiter;
    private final char quote;

    Shape(int fields, String delimiter, char quote) {
      this.fields = fields;
      this.delimiter = delimiter;
      this.quote = quote;
    }

    /** What is wrong with a line, and the line (escaped, abbreviated). */
    String describe(String raw) {
      String what;
      if (raw.indexOf(quote) >= 0 || delimiter.isEmpty()) {
        what = "does not parse into the header's " + fields + " fields (broken quoting?)";
      } else {
        int found = 1;
        for (int i = raw.indexOf(delimiter); i >= 0; i = raw.indexOf(delimiter, i + delimiter.length())) {
          found++;
        }
        what = found == fields
            ? "has a value that does not parse as its column's type"
            : "has " + found + " field" + (found == 1 ? "" : "s") + ", the header " + fields;
      }
      return what + ": '" + Printable.of(raw) + "'";
    }
  }

  /** Counts each split's rows and malformed lines. */
  private static final class CountSplits implements FlatMapFunction<Iterator<InternalRow>, SplitCount> {
    private static final long serialVersionUID = 1L;
    private final int corruptIdx;
    private final int fileIdx;
    private final int blockIdx;

    CountSplits(int corruptIdx, int fileIdx, int blockIdx) {
      this.corruptIdx = corruptIdx;
      this.fileIdx = fileIdx;
      this.blockIdx = blockIdx;
    }

    @Override
    public Iterator<SplitCount> call(Iterator<InternalRow> rows) {
      List<SplitCount> out = new ArrayList<>();
      String file = null;
      long block = -1;
      long n = 0;
      long bad = 0;
      long firstBad = -1;
      String firstText = null;
      while (rows.hasNext()) {
        InternalRow r = rows.next();
        String f = r.getUTF8String(fileIdx).toString();
        long b = r.getLong(blockIdx);
        if (!f.equals(file) || b != block) {
          if (file != null) {
            out.add(new SplitCount(file, block, n, bad, firstBad, firstText));
          }
          file = f;
          block = b;
          n = 0;
          bad = 0;
          firstBad = -1;
          firstText = null;
        }
        if (!r.isNullAt(corruptIdx)) {
          if (bad == 0) {
            firstBad = n;
            firstText = r.getUTF8String(corruptIdx).toString();
          }
          bad++;
        }
        n++;
      }
      if (file != null) {
        out.add(new SplitCount(file, block, n, bad, firstBad, firstText));
      }
      return out.iterator();
    }
  }

  /** Numbers the rows of each split from its offsets; a malformed line's raw text becomes its description. */
  private static final class NumberRows<R> implements FlatMapFunction<Iterator<R>, Row> {
    private static final long serialVersionUID = 1L;
    private final Map<String, long[]> offsets;
    private final int fields;
    private final Shape shape;
    private final StructType schema;
    private final Fields<R> values;

    NumberRows(Map<String, long[]> offsets, int fields, Shape shape, StructType schema, Fields<R> values) {
      this.offsets = offsets;
      this.fields = fields;
      this.shape = shape;
      this.schema = schema;
      this.values = values;
    }

    @Override
    public Iterator<Row> call(Iterator<R> rows) {
      return new Iterator<>() {
        String file;
        long block = -1;
        long inFile;
        long position;

        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Row next() {
          // The header's values, then the raw malformed line, the file and the split's start.
          Object[] v = values.of(rows.next(), fields + 3);
          String f = (String) v[fields + 1];
          long b = (Long) v[fields + 2];
          if (!f.equals(file) || b != block) {
            long[] o = offsets.get(f + "\u0000" + b);
            if (o == null) {
              throw new IllegalStateException("file split " + f + "@" + b + " was not seen when counting rows");
            }
            file = f;
            block = b;
            inFile = o[0];
            position = o[1];
          }
          Object[] out = Arrays.copyOf(v, fields + 4);
          out[fields] = v[fields] == null ? null : shape.describe((String) v[fields]);
          out[fields + 2] = ++inFile;
          out[fields + 3] = position++;
          // With the table's schema, as the table's own rows have it, so both ways of converting see the same rows.
          return new GenericRowWithSchema(out, schema);
        }
      };
    }
  }

  /** Converts rows; the row's position in its partition names a row only when the table has no hidden columns. */
  private static final class Convert implements Function2<Integer, Iterator<Row>, Iterator<CanonicalRow>> {
    private static final long serialVersionUID = 1L;
    private final ColumnPlan plan;
    private final Map<String, Long> fileOffsets;

    Convert(ColumnPlan plan, Map<String, Long> fileOffsets) {
      this.plan = plan;
      this.fileOffsets = fileOffsets;
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
          return plan.convert(rows.next(), fileOffsets, partition, n++);
        }
      };
    }
  }
}
