package org.dvgs.io;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.TableConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.InputException;

/**
 * Which columns of a table hold the id, features and label, resolved against its schema, and how a Spark row is
 * turned into a {@link CanonicalRow}. Column problems are reported with the table's path and the columns it has.
 */
public final class ColumnPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Reason prefixes (categories counted in the manifest). */
  public static final String NULL_ID = "missing id";
  public static final String BAD_FEATURE = "non-finite or missing feature";
  public static final String WIDTH = "feature length";
  public static final String MISSING_LABEL = "missing label";
  public static final String BAD_LABEL = "label out of range";
  public static final String MALFORMED = "malformed CSV line";

  private final String table;
  private final int idIndex;
  private final int vectorIndex;
  private final boolean vectorIsMl;
  private final int[] featureIndices;
  private final String[] featureNames;
  private final int labelIndex;
  private final boolean labelIsString;
  private Double labelAbove;
  private int splitIndex = -1;
  private String splitValue;
  private int corruptIndex = -1;
  private int fileIndex = -1;
  private int rowIndex = -1;
  private int positionIndex = -1;

  private ColumnPlan(String table, int idIndex, int vectorIndex, boolean vectorIsMl, int[] featureIndices, String[] featureNames, int labelIndex, boolean labelIsString) {
    this.table = table;
    this.idIndex = idIndex;
    this.vectorIndex = vectorIndex;
    this.vectorIsMl = vectorIsMl;
    this.featureIndices = featureIndices;
    this.featureNames = featureNames;
    this.labelIndex = labelIndex;
    this.labelIsString = labelIsString;
  }

  /**
   * Resolves the configured columns against a schema.
   *
   * @param name table name for messages ("source table /path")
   * @param extraExcluded columns that are never features (e.g. the split column)
   * @param needLabel whether the task needs a label column
   */
  public static ColumnPlan resolve(String name, StructType schema, TableConfig t, List<String> extraExcluded, boolean needLabel) {
    ColumnPlan plan = choose(name, schema, t, extraExcluded, needLabel).labelAbove(t.labelAbove());
    plan.corruptIndex = hiddenIndex(schema, TableReader.CORRUPT);
    plan.fileIndex = hiddenIndex(schema, TableReader.FILE);
    plan.rowIndex = hiddenIndex(schema, TableReader.ROW);
    plan.positionIndex = hiddenIndex(schema, TableReader.POSITION);
    return plan;
  }

  private static int hiddenIndex(StructType schema, String column) {
    List<String> names = List.of(schema.fieldNames());
    return names.indexOf(column);
  }

  /** The columns a user can name (the schema without the reader's hidden columns), escaped for messages. */
  static String columns(StructType schema) {
    List<String> cols = new ArrayList<>();
    for (String c : schema.fieldNames()) {
      if (!TableReader.hidden(c)) {
        cols.add(c);
      }
    }
    return Printable.names(cols);
  }

  private static ColumnPlan choose(String name, StructType schema, TableConfig t, List<String> extraExcluded, boolean needLabel) {
    String cols = columns(schema);
    int id = -1;
    if (!t.idColumn().isEmpty()) {
      id = index(name, schema, t.idColumn(), "id-column");
    }
    int label = -1;
    boolean labelString = false;
    if (needLabel) {
      if (t.labelColumn().isEmpty()) {
        throw new InputException(name + ": the task needs a label but label-column is not set (columns: " + cols + ")");
      }
      label = index(name, schema, t.labelColumn(), "label-column");
      DataType lt = schema.fields()[label].dataType();
      labelString = lt instanceof StringType;
      if (!(lt instanceof NumericType) && !labelString) {
        throw new InputException(name + ": label column '" + Printable.of(t.labelColumn()) + "' has type " + lt.simpleString() + ", expected a number");
      }
    }
    if (!t.featureColumn().isEmpty()) {
      int v = index(name, schema, t.featureColumn(), "features.column");
      DataType dt = schema.fields()[v].dataType();
      boolean ml = dt instanceof VectorUDT;
      if (!ml && !(dt instanceof ArrayType at && at.elementType() instanceof NumericType)) {
        throw new InputException(
            name + ": features column '" + Printable.of(t.featureColumn()) + "' has type " + dt.simpleString() + ", expected an array of numbers or an ML vector");
      }
      return new ColumnPlan(name, id, v, ml, null, null, label, labelString);
    }
    List<String> names = new ArrayList<>();
    if (!t.featureColumns().isEmpty()) {
      names.addAll(t.featureColumns());
    } else {
      Set<String> skip = new HashSet<>(t.excludeColumns());
      skip.addAll(extraExcluded);
      if (!t.idColumn().isEmpty()) {
        skip.add(t.idColumn());
      }
      if (!t.labelColumn().isEmpty()) {
        skip.add(t.labelColumn());
      }
      for (String c : t.excludeColumns()) {
        index(name, schema, c, "features.exclude");
      }
      for (String c : schema.fieldNames()) {
        if (!skip.contains(c) && !TableReader.hidden(c)) {
          names.add(c);
        }
      }
    }
    if (names.isEmpty()) {
      throw new InputException(name + ": no feature columns left (columns: " + cols + ")");
    }
    int[] idx = new int[names.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = index(name, schema, names.get(i), "features.columns");
      DataType dt = schema.fields()[idx[i]].dataType();
      if (!(dt instanceof NumericType) && !(dt instanceof StringType)) {
        throw new InputException(name + ": feature column '" + Printable.of(names.get(i)) + "' has type " + dt.simpleString() + ", expected a number");
      }
    }
    return new ColumnPlan(name, id, -1, false, idx, names.toArray(new String[0]), label, labelString);
  }

  private static int index(String name, StructType schema, String col, String key) {
    for (int i = 0; i < schema.fields().length; i++) {
      StructField f = schema.fields()[i];
      if (f.name().equals(col) && !TableReader.hidden(col)) {
        return i;
      }
    }
    throw new InputException(name + ": column '" + Printable.of(col) + "' (" + key + ") not found; columns are " + columns(schema));
  }

  /** Feature names when features come from columns; null for an array/vector column. */
  public List<String> featureNames() {
    return featureNames == null ? null : List.of(featureNames);
  }

  public boolean hasIdColumn() {
    return idIndex >= 0;
  }

  /** Whether generated ids need each file's row count (a table without an id column or a position column). */
  boolean needsFileOffsets() {
    return idIndex < 0 && positionIndex < 0;
  }

  /**
   * Where a row is: its file and 1-based row number, or (for a table that does not carry them) its partition and
   * position there.
   */
  private String where(Row row, int partition, long position) {
    if (fileIndex >= 0 && rowIndex >= 0) {
      return row.getString(fileIndex) + " row " + row.getLong(rowIndex);
    }
    return "partition " + partition + " row " + position;
  }

  /**
   * Converts a row of a table from {@link TableReader#read}.
   *
   * @param fileOffsets rows before each file, for generated ids when the table has no position column, else null
   * @param partition the row's partition, naming the row only if the table has no file and row columns
   * @param position the row's position in its partition, likewise
   */
  public CanonicalRow convert(Row row, java.util.Map<String, Long> fileOffsets, int partition, long position) {
    String id;
    if (idIndex >= 0) {
      Object v = row.get(idIndex);
      id = v == null ? null : String.valueOf(v);
    } else if (positionIndex >= 0) {
      id = Long.toString(row.getLong(positionIndex));
    } else if (fileOffsets != null && fileIndex >= 0 && rowIndex >= 0) {
      id = Long.toString(fileOffsets.get(row.getString(fileIndex)) + row.getLong(rowIndex) - 1);
    } else {
      throw new IllegalStateException(table + ": generated ids need the table as TableReader.read returns it");
    }
    if (corruptIndex >= 0 && !row.isNullAt(corruptIndex)) {
      // The fields of a malformed line are not where the header says, so none of them (the id included) is used.
      String at = where(row, partition, position);
      return new CanonicalRow(idIndex >= 0 ? "<malformed line, " + at + ">" : id, null, Double.NaN,
          MALFORMED + ": " + at + " " + row.getString(corruptIndex), false, isTarget(row));
    }
    if (id == null) {
      String at = where(row, partition, position);
      return new CanonicalRow("<null id, " + at + ">", null, Double.NaN, NULL_ID + ": id column is null at " + at, false, isTarget(row));
    }
    double label = Double.NaN;
    String reason = null;
    if (labelIndex >= 0) {
      Object v = row.get(labelIndex);
      if (v == null) {
        reason = MISSING_LABEL + ": label is null";
      } else if (labelIsString) {
        try {
          label = Double.parseDouble(((String) v).trim());
        } catch (NumberFormatException e) {
          reason = MISSING_LABEL + ": label '" + Printable.of((String) v) + "' is not a number";
        }
      } else {
        label = ((Number) v).doubleValue();
      }
      if (labelAbove != null && Double.isFinite(label)) {
        label = label > labelAbove ? 1 : 0;
      }
    }
    float[] f;
    if (vectorIndex >= 0) {
      Object v = row.get(vectorIndex);
      if (v == null) {
        return new CanonicalRow(id, null, label, BAD_FEATURE + ": features column is null", false, isTarget(row));
      }
      if (vectorIsMl) {
        double[] d = ((Vector) v).toArray();
        f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
          f[i] = (float) d[i];
        }
      } else {
        List<Object> list = row.getList(vectorIndex);
        f = new float[list.size()];
        for (int i = 0; i < f.length; i++) {
          Object e = list.get(i);
          if (e == null) {
            return new CanonicalRow(id, null, label, BAD_FEATURE + ": features[" + i + "] is null", false, isTarget(row));
          }
          f[i] = ((Number) e).floatValue();
        }
      }
      for (int i = 0; i < f.length; i++) {
        if (!Float.isFinite(f[i])) {
          return new CanonicalRow(id, null, label, BAD_FEATURE + ": features[" + i + "] is " + f[i], false, isTarget(row));
        }
      }
    } else {
      f = new float[featureIndices.length];
      for (int i = 0; i < f.length; i++) {
        Object e = row.get(featureIndices[i]);
        float x;
        if (e == null) {
          return new CanonicalRow(id, null, label, BAD_FEATURE + ": column '" + Printable.of(featureNames[i]) + "' is null", false, isTarget(row));
        } else if (e instanceof Number n) {
          x = n.floatValue();
        } else {
          try {
            x = Float.parseFloat(String.valueOf(e).trim());
          } catch (NumberFormatException ex) {
            return new CanonicalRow(id, null, label, BAD_FEATURE + ": column '" + Printable.of(featureNames[i]) + "' is '" + Printable.of(String.valueOf(e)) + "', not a number", false, isTarget(row));
          }
        }
        if (!Float.isFinite(x)) {
          return new CanonicalRow(id, null, label, BAD_FEATURE + ": column '" + Printable.of(featureNames[i]) + "' is " + x, false, isTarget(row));
        }
        f[i] = x;
      }
    }
    return new CanonicalRow(id, f, label, reason, false, isTarget(row));
  }

  /**
   * Checks a converted row against the model's expectations.
   *
   * @param width expected feature width
   * @param classes classes for a classifier, 0 for a regressor, -1 for no label
   */
  public static CanonicalRow check(CanonicalRow r, int width, int classes) {
    if (!r.valid()) {
      return r;
    }
    if (r.features().length != width) {
      return r.reject(WIDTH + ": " + r.features().length + " features, expected " + width);
    }
    if (classes >= 0 && Double.isNaN(r.label())) {
      return r.reject(MISSING_LABEL + ": label is missing");
    }
    if (classes == 0 && !Double.isFinite(r.label())) {
      return r.reject(BAD_LABEL + ": label " + r.label() + " is not finite");
    }
    if (classes > 0) {
      double y = r.label();
      if (y != Math.rint(y) || y < 0 || y >= classes) {
        return r.reject(BAD_LABEL + ": label " + y + " is not a class index in [0, " + (classes - 1) + "]");
      }
    }
    return r;
  }

  /** Binarises the label at a threshold (null = keep it as it is). */
  private ColumnPlan labelAbove(Double threshold) {
    this.labelAbove = threshold;
    return this;
  }

  /** Marks rows whose {@code column} equals {@code value} (as a string) as target rows. */
  public ColumnPlan withSplitColumn(StructType schema, String column, String value) {
    this.splitIndex = index(table, schema, column, "input.split.column");
    this.splitValue = value;
    return this;
  }

  private boolean isTarget(Row row) {
    if (splitIndex < 0) {
      return false;
    }
    Object v = row.get(splitIndex);
    return v != null && String.valueOf(v).equals(splitValue);
  }
}
