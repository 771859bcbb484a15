package org.dvgs.l1000;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.core.Stats;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.trim;

/**
 * APC, the average pairwise Pearson correlation of a signature's replicates: a level 5 signature lists the level 4
 * replicate profiles it was built from ({@code distil_id}, '|'-separated); APC is the mean of the Pearson
 * correlations of every pair of those profiles over the selected genes. High APC means the replicates agree.
 *
 * <p>Genes missing (NaN) in either profile of a pair are left out of that pair; a pair with fewer than 3 common
 * genes or a constant profile has no correlation and is skipped. A signature with fewer than 2 replicates found, or
 * no usable pair, has a null APC. Replicates are taken in id order, so the sum is the same on every run.
 */
public final class Apc {
  /** The APC column. */
  public static final String APC = "apc";
  /** The number of the signature's replicates found in the level 4 table. */
  public static final String FOUND = "apc_replicates";

  private Apc() {}

  /**
   * APC per signature.
   *
   * @param signatures a table with {@code sample_id} and the replicate id column
   * @param replicateField the column listing replicate ids ('|'-separated)
   * @param replicates a table with {@code sample_id} (the replicate id) and {@code features}, same gene order
   * @return {@code sample_id, apc, apc_replicates} for every signature that lists at least one replicate
   */
  public static Dataset<Row> compute(Dataset<Row> signatures, String replicateField, Dataset<Row> replicates) {
    Dataset<Row> links = signatures
        .select(col(L1000Table.ID).as("sig"), explode(split(col(replicateField), "\\|")).as("rep"))
        .withColumn("rep", trim(col("rep")))
        .filter(col("rep").notEqual(""));
    Dataset<Row> joined = links.join(
        replicates.select(col(L1000Table.ID).as("rep"), col(L1000Table.FEATURES).as("x")), "rep");
    Dataset<Row> grouped = joined.groupBy("sig").agg(collect_list(struct(col("rep"), col("x"))).as("reps"));
    StructType out = DataTypes.createStructType(List.of(
        DataTypes.createStructField(L1000Table.ID, DataTypes.StringType, false),
        DataTypes.createStructField(APC, DataTypes.DoubleType, true),
        DataTypes.createStructField(FOUND, DataTypes.IntegerType, false)));
    Dataset<Row> apc = grouped.map(new Of(), Encoders.row(out));
    // Signatures none of whose replicates were found still get a row (found = 0).
    Dataset<Row> listed = links.select(col("sig").as(L1000Table.ID)).distinct();
    return listed.join(apc, new String[] {L1000Table.ID}, "left")
        .na().fill(0, new String[] {FOUND});
  }

  /** Mean pairwise Pearson correlation of the given profiles (NaN when no pair is usable). */
  public static double apc(List<float[]> profiles) {
    double sum = 0;
    int pairs = 0;
    for (int i = 0; i < profiles.size(); i++) {
      for (int j = i + 1; j < profiles.size(); j++) {
        double r = pearson(profiles.get(i), profiles.get(j));
        if (!Double.isNaN(r)) {
          sum += r;
          pairs++;
        }
      }
    }
    return pairs == 0 ? Double.NaN : sum / pairs;
  }

  /** Pearson correlation over positions where both are finite; NaN with fewer than 3 or a constant side. */
  public static double pearson(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("profiles of different lengths " + a.length + " and " + b.length);
    }
    int n = 0;
    for (int k = 0; k < a.length; k++) {
      if (Float.isFinite(a[k]) && Float.isFinite(b[k])) {
        n++;
      }
    }
    if (n < 3) {
      return Double.NaN;
    }
    double[] fa = new double[n];
    double[] fb = new double[n];
    int i = 0;
    for (int k = 0; k < a.length; k++) {
      if (Float.isFinite(a[k]) && Float.isFinite(b[k])) {
        fa[i] = a[k];
        fb[i++] = b[k];
      }
    }
    return Stats.pearson(fa, fb);
  }

  /** One signature's replicates to its APC. */
  private static final class Of implements MapFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Row call(Row r) {
      List<Row> reps = new ArrayList<>(r.getList(1));
      reps.sort(Comparator.comparing(x -> x.getString(0)));
      List<float[]> profiles = new ArrayList<>(reps.size());
      String last = null;
      for (Row rep : reps) {
        if (rep.getString(0).equals(last)) {
          continue; // a replicate listed twice counts once
        }
        last = rep.getString(0);
        List<Object> x = rep.getList(1);
        float[] f = new float[x.size()];
        for (int k = 0; k < f.length; k++) {
          Object v = x.get(k);
          f[k] = v == null ? Float.NaN : ((Number) v).floatValue();
        }
        profiles.add(f);
      }
      double a = profiles.size() < 2 ? Double.NaN : apc(profiles);
      return RowFactory.create(r.getString(0), Double.isNaN(a) ? null : a, profiles.size());
    }
  }
}
