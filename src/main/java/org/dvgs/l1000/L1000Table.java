package org.dvgs.l1000;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.dvgs.core.InputException;

/**
 * L1000 matrices (GCTX or GCT) as the canonical source table: one row per sample (a GCT column) with
 * {@code sample_id}, {@code features} (float array of the selected genes, in selection order) and every sample
 * metadata field as its own column.
 *
 * <p>A GCTX file is read by the executors: the driver opens the file only for its dimensions, gene ids and the list
 * of metadata fields, and each task reads one block of samples (a hyperslab of the matrix plus the same range of
 * every metadata dataset), so no sample's values pass through the driver.
 */
public final class L1000Table {
  /** The sample id column. */
  public static final String ID = "sample_id";
  /** The feature array column. */
  public static final String FEATURES = "features";

  private L1000Table() {}

  /**
   * Which genes to keep.
   *
   * @param idsFile a file of gene ids, one per line ({@code #} comments allowed), or ""
   * @param field a gene metadata field (in the file, or in {@code infoFile}), or ""
   * @param values the values of {@code field} that select a gene (case-insensitive)
   * @param infoFile a tab-separated gene-info table with a header line, or ""
   * @param infoIdColumn the column of {@code infoFile} matching the file's gene ids
   */
  public record GeneSelection(String idsFile, String field, List<String> values, String infoFile, String infoIdColumn) {
    /** Every gene. */
    public static GeneSelection all() {
      return new GeneSelection("", "", List.of(), "", "");
    }

    /** A short description for manifests. */
    public String describe() {
      if (!idsFile.isEmpty()) {
        return "ids-file " + idsFile;
      }
      if (!field.isEmpty()) {
        return "field " + field + " in " + values + (infoFile.isEmpty() ? "" : " (from " + infoFile + ")");
      }
      return "all genes";
    }
  }

  /**
   * Selected genes.
   *
   * @param index positions in the file's gene order
   * @param ids gene ids, in feature order
   */
  public record Genes(int[] index, String[] ids) {}

  /** Resolves a gene selection against a file's gene ids and (lazily read) gene metadata. */
  public static Genes selectGenes(String fileName, String[] rowIds, java.util.function.Function<String, String[]> rowField, GeneSelection sel, Configuration hadoop) {
    Map<String, Integer> pos = new HashMap<>();
    for (int i = 0; i < rowIds.length; i++) {
      pos.putIfAbsent(rowIds[i], i);
    }
    List<Integer> chosen = new ArrayList<>();
    if (!sel.idsFile().isEmpty()) {
      List<String> wanted = lines(sel.idsFile(), hadoop);
      Set<String> seen = new LinkedHashSet<>();
      List<String> missing = new ArrayList<>();
      for (String id : wanted) {
        if (!seen.add(id)) {
          throw new InputException("genes file " + sel.idsFile() + " lists gene '" + id + "' twice");
        }
        Integer p = pos.get(id);
        if (p == null) {
          missing.add(id);
        } else {
          chosen.add(p);
        }
      }
      if (!missing.isEmpty()) {
        throw new InputException(
            "genes file " + sel.idsFile() + ": " + missing.size() + " of " + wanted.size() + " gene ids are not among the " + rowIds.length
                + " row ids of " + fileName + ", e.g. " + missing.subList(0, Math.min(5, missing.size())));
      }
    } else if (!sel.field().isEmpty()) {
      String[] v = sel.infoFile().isEmpty() ? rowField.apply(sel.field()) : infoField(sel, rowIds, hadoop);
      Set<String> accept = new java.util.HashSet<>();
      for (String a : sel.values()) {
        accept.add(a.toLowerCase(Locale.ROOT));
      }
      for (int i = 0; i < rowIds.length; i++) {
        if (v[i] != null && accept.contains(v[i].trim().toLowerCase(Locale.ROOT))) {
          chosen.add(i);
        }
      }
    } else {
      for (int i = 0; i < rowIds.length; i++) {
        chosen.add(i);
      }
    }
    if (chosen.isEmpty()) {
      throw new InputException(fileName + ": the gene selection (" + sel.describe() + ") keeps no gene");
    }
    int[] index = new int[chosen.size()];
    String[] ids = new String[chosen.size()];
    Set<String> unique = new java.util.HashSet<>();
    for (int i = 0; i < index.length; i++) {
      index[i] = chosen.get(i);
      ids[i] = rowIds[index[i]];
      if (!unique.add(ids[i])) {
        throw new InputException(fileName + ": gene id '" + ids[i] + "' occurs twice among the selected genes");
      }
    }
    return new Genes(index, ids);
  }

  /** The same genes, by id, in another file (level 4 replicates for level 5 signatures). */
  public static int[] indexOf(String fileName, String[] rowIds, String[] ids) {
    Map<String, Integer> pos = new HashMap<>();
    for (int i = 0; i < rowIds.length; i++) {
      pos.putIfAbsent(rowIds[i], i);
    }
    int[] out = new int[ids.length];
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < ids.length; i++) {
      Integer p = pos.get(ids[i]);
      if (p == null) {
        missing.add(ids[i]);
      } else {
        out[i] = p;
      }
    }
    if (!missing.isEmpty()) {
      throw new InputException(fileName + ": " + missing.size() + " selected genes are not among its row ids, e.g. " + missing.subList(0, Math.min(5, missing.size())));
    }
    return out;
  }

  /** The output schema for the given metadata fields. */
  public static StructType schema(List<GctxFile.Field> fields) {
    List<StructField> f = new ArrayList<>();
    f.add(DataTypes.createStructField(ID, DataTypes.StringType, false));
    f.add(DataTypes.createStructField(FEATURES, DataTypes.createArrayType(DataTypes.FloatType, true), false));
    for (GctxFile.Field m : fields) {
      if (m.name().equals(ID) || m.name().equals(FEATURES)) {
        throw new InputException("sample metadata field '" + m.name() + "' clashes with the column the ingest writes under that name");
      }
      DataType t = switch (m.kind()) {
        case STRING -> DataTypes.StringType;
        case LONG -> DataTypes.LongType;
        case DOUBLE -> DataTypes.DoubleType;
      };
      f.add(DataTypes.createStructField(m.name(), t, true));
    }
    return DataTypes.createStructType(f);
  }

  /**
   * Reads a GCTX file as a table, one task per block of {@code blockRows} samples.
   *
   * @param fields the sample metadata fields to carry (may be empty)
   */
  public static Dataset<Row> readGctx(SparkSession spark, String path, int samples, int[] geneIndex, List<GctxFile.Field> fields, int blockRows) {
    List<Integer> starts = new ArrayList<>();
    for (long s = 0; s < samples; s += blockRows) {
      starts.add((int) s);
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<Row> rows = jsc.parallelize(starts, Math.max(1, starts.size()))
        .flatMap(new ReadBlock(path, samples, blockRows, geneIndex, List.copyOf(fields)));
    return spark.createDataFrame(rows, schema(fields));
  }

  /** A GCT file (parsed on the driver) as a table; metadata fields typed as {@link #kinds} infers. */
  public static Dataset<Row> fromGct(SparkSession spark, GctFile f, int[] geneIndex) {
    List<GctxFile.Field> fields = kinds(f.columnMeta());
    List<Row> rows = new ArrayList<>(f.samples());
    int g = f.genes();
    for (int j = 0; j < f.samples(); j++) {
      Object[] r = new Object[2 + fields.size()];
      r[0] = f.columnIds()[j];
      float[] x = new float[geneIndex.length];
      for (int k = 0; k < geneIndex.length; k++) {
        x[k] = f.values()[j * g + geneIndex[k]];
      }
      r[1] = boxed(x);
      for (int m = 0; m < fields.size(); m++) {
        String v = f.columnMeta().get(fields.get(m).name())[j];
        r[2 + m] = v == null ? null : switch (fields.get(m).kind()) {
          case STRING -> v;
          case LONG -> Long.parseLong(v.strip());
          case DOUBLE -> parseDouble(v);
        };
      }
      rows.add(RowFactory.create(r));
    }
    return spark.createDataFrame(rows, schema(fields));
  }

  /** Field kinds of text metadata: whole numbers, numbers, else strings (nulls ignored). */
  public static List<GctxFile.Field> kinds(Map<String, String[]> meta) {
    List<GctxFile.Field> out = new ArrayList<>();
    for (Map.Entry<String, String[]> e : meta.entrySet()) {
      boolean whole = true;
      boolean number = true;
      boolean any = false;
      for (String v : e.getValue()) {
        if (v == null) {
          continue;
        }
        any = true;
        String s = v.strip();
        if (whole) {
          try {
            Long.parseLong(s);
          } catch (NumberFormatException x) {
            whole = false;
          }
        }
        if (!whole && number) {
          number = DECIMAL.matcher(s).matches() || s.equalsIgnoreCase("nan");
        }
      }
      GctxFile.Kind k = !any ? GctxFile.Kind.STRING : whole ? GctxFile.Kind.LONG : number ? GctxFile.Kind.DOUBLE : GctxFile.Kind.STRING;
      out.add(new GctxFile.Field(e.getKey(), k));
    }
    return out;
  }

  private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

  /** A plain decimal number, or NaN for "nan"; anything else (Java's "1d", hexadecimal floats, text) is not one. */
  private static double parseDouble(String s) {
    String t = s.strip();
    return DECIMAL.matcher(t).matches() ? Double.parseDouble(t) : Double.NaN;
  }

  static Float[] boxed(float[] x) {
    Float[] b = new Float[x.length];
    for (int i = 0; i < x.length; i++) {
      b[i] = x[i];
    }
    return b;
  }

  /**
   * Finds the reader's own error inside a Spark job failure, so that a bad file found by an executor reaches the
   * user as the same clear message as one found on the driver. Spark's job failures are checked exceptions thrown
   * undeclared, hence the {@link Exception} parameter; anything else is rethrown unchanged.
   *
   * @return never returns normally; declared for {@code throw unwrap(e)}
   */
  public static RuntimeException unwrap(Exception e) {
    if (InputException.in(e) == null) {
      // A task's exception may arrive only as text in the job failure message.
      String m = String.valueOf(e.getMessage());
      int i = m.indexOf("InputException: ");
      if (i >= 0) {
        String rest = m.substring(i + "InputException: ".length());
        int nl = rest.indexOf('\n');
        throw new InputException(nl < 0 ? rest : rest.substring(0, nl), e);
      }
    }
    throw InputException.rethrow(e);
  }

  private static List<String> lines(String path, Configuration hadoop) {
    Path p = new Path(path);
    try {
      FileSystem fs = p.getFileSystem(hadoop == null ? new Configuration() : hadoop);
      if (!fs.isFile(p)) {
        throw new InputException("genes file " + path + " does not exist or is not a file");
      }
      List<String> out = new ArrayList<>();
      try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(p), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          String s = line.strip();
          if (!s.isEmpty() && !s.startsWith("#")) {
            out.add(s);
          }
        }
      }
      if (out.isEmpty()) {
        throw new InputException("genes file " + path + " lists no gene ids");
      }
      return out;
    } catch (IOException e) {
      throw new InputException("genes file " + path + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static String[] infoField(GeneSelection sel, String[] rowIds, Configuration hadoop) {
    Path p = new Path(sel.infoFile());
    Map<String, String> byId = new HashMap<>();
    try {
      FileSystem fs = p.getFileSystem(hadoop == null ? new Configuration() : hadoop);
      if (!fs.isFile(p)) {
        throw new InputException("gene-info file " + sel.infoFile() + " does not exist or is not a file");
      }
      try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(p), StandardCharsets.UTF_8))) {
        String header = in.readLine();
        if (header == null) {
          throw new InputException("gene-info file " + sel.infoFile() + " is empty");
        }
        List<String> cols = List.of(header.split("\t", -1));
        int idCol = cols.indexOf(sel.infoIdColumn());
        int fieldCol = cols.indexOf(sel.field());
        if (idCol < 0 || fieldCol < 0) {
          throw new InputException("gene-info file " + sel.infoFile() + " has no column '" + (idCol < 0 ? sel.infoIdColumn() : sel.field()) + "' (columns: " + cols + ")");
        }
        String line;
        int lineNo = 1;
        while ((line = in.readLine()) != null) {
          lineNo++;
          if (line.isBlank()) {
            continue;
          }
          String[] cells = line.split("\t", -1);
          if (cells.length <= Math.max(idCol, fieldCol)) {
            throw new InputException("gene-info file " + sel.infoFile() + ", line " + lineNo + ": " + cells.length + " fields, fewer than the header's " + cols.size());
          }
          byId.put(cells[idCol].strip(), cells[fieldCol].strip());
        }
      }
    } catch (IOException e) {
      throw new InputException("gene-info file " + sel.infoFile() + " cannot be read: " + e.getMessage(), e);
    }
    String[] out = new String[rowIds.length];
    for (int i = 0; i < rowIds.length; i++) {
      out[i] = byId.get(rowIds[i]);
    }
    return out;
  }

  /** Executor side: reads one block of samples from the GCTX file. */
  private static final class ReadBlock implements FlatMapFunction<Integer, Row> {
    private static final long serialVersionUID = 1L;
    private final String path;
    private final int samples;
    private final int blockRows;
    private final int[] geneIndex;
    private final List<GctxFile.Field> fields;

    ReadBlock(String path, int samples, int blockRows, int[] geneIndex, List<GctxFile.Field> fields) {
      this.path = path;
      this.samples = samples;
      this.blockRows = blockRows;
      this.geneIndex = geneIndex;
      this.fields = fields;
    }

    @Override
    public Iterator<Row> call(Integer start) {
      int count = Math.min(blockRows, samples - start);
      try (GctxFile f = GctxFile.open(path, new Configuration())) {
        if (f.samples() != samples) {
          throw new InputException("GCTX file " + path + " changed while being read: " + f.samples() + " samples, " + samples + " when opened");
        }
        String[] ids = f.columnIds(start, count);
        List<Object[]> meta = new ArrayList<>(fields.size());
        for (GctxFile.Field m : fields) {
          meta.add(f.columnField(m, start, count));
        }
        float[][] x = f.block(start, count, geneIndex);
        List<Row> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          if (ids[i] == null || ids[i].isEmpty()) {
            throw new InputException("GCTX file " + path + ": /0/META/COL/id is empty for sample " + (start + i));
          }
          Object[] r = new Object[2 + fields.size()];
          r[0] = ids[i];
          r[1] = boxed(x[i]);
          for (int m = 0; m < fields.size(); m++) {
            r[2 + m] = meta.get(m)[i];
          }
          out.add(RowFactory.create(r));
        }
        return out.iterator();
      }
    }
  }

  /** Column metadata of a file, for manifests: field name to Spark type name. */
  public static Map<String, String> describeFields(List<GctxFile.Field> fields) {
    Map<String, String> m = new LinkedHashMap<>();
    for (GctxFile.Field f : fields) {
      m.put(f.name(), switch (f.kind()) {
        case STRING -> "string";
        case LONG -> "bigint";
        case DOUBLE -> "double";
      });
    }
    return Collections.unmodifiableMap(m);
  }
}
