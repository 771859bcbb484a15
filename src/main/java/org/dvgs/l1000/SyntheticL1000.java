package org.dvgs.l1000;

import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.ScaleConfig;
import org.dvgs.core.Mix;

/**
 * A synthetic source shaped like L1000 level 5 signatures, generated on the executors: every sample shares a
 * low-rank signal ({@code rank} factors with fixed loadings), each gene has its own offset and scale, and each
 * sample gets Gaussian noise with its own standard deviation (uniform in [noise-min, noise-max]), recorded as
 * {@code noise_rate}. Samples belong to
 * perturbation groups ({@code pert_id}) of Zipf-like sizes, so balanced target sampling has something to balance.
 *
 * <p>Row i is a pure function of (seed, i): the first n rows are the same for every n, on any cluster and with any
 * partitioning. Columns: {@code sample_id string, features array<float>, noise_rate double, pert_id string}.
 */
public final class SyntheticL1000 {
  private static final long LOADINGS = 0x6c6f6164L;
  private static final long ROWS = 0x726f7773L;

  private SyntheticL1000() {}

  /** The table's schema. */
  public static StructType schema() {
    return DataTypes.createStructType(List.of(
        DataTypes.createStructField("sample_id", DataTypes.StringType, false),
        DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, false), false),
        DataTypes.createStructField("noise_rate", DataTypes.DoubleType, false),
        DataTypes.createStructField("pert_id", DataTypes.StringType, false)));
  }

  /** Generates {@code rows} samples in partitions of about {@code cfg.rowsPerPartition()} rows. */
  public static Dataset<Row> generate(SparkSession spark, ScaleConfig cfg, long rows, long seed) {
    int parts = (int) Math.max(1, (rows + cfg.rowsPerPartition() - 1) / cfg.rowsPerPartition());
    return spark.range(0, rows, 1, parts).mapPartitions(new Rows(cfg, seed), Encoders.row(schema()));
  }

  /** Sample id of row i (zero-padded so that ids sort in row order). */
  public static String id(long i) {
    return String.format("syn-%07d", i);
  }

  /** Generates the rows of one partition. */
  private static final class Rows implements MapPartitionsFunction<Long, Row> {
    private static final long serialVersionUID = 1L;
    private final int genes;
    private final int rank;
    private final double noiseMin;
    private final double noiseMax;
    private final int compounds;
    private final long seed;

    Rows(ScaleConfig cfg, long seed) {
      this.genes = cfg.genes();
      this.rank = cfg.rank();
      this.noiseMin = cfg.noiseMin();
      this.noiseMax = cfg.noiseMax();
      this.compounds = cfg.compounds();
      this.seed = seed;
    }

    @Override
    public Iterator<Row> call(Iterator<Long> ids) {
      // Loadings, gene offsets and scales: the same in every task (drawn from the seed alone).
      SplittableRandom lr = new SplittableRandom(Mix.mix(seed, LOADINGS));
      float[][] load = new float[rank][genes];
      double sd = 1.0 / Math.sqrt(rank);
      for (int k = 0; k < rank; k++) {
        for (int g = 0; g < genes; g++) {
          load[k][g] = (float) (sd * lr.nextGaussian());
        }
      }
      float[] offset = new float[genes];
      float[] scale = new float[genes];
      for (int g = 0; g < genes; g++) {
        offset[g] = (float) lr.nextGaussian();
        scale[g] = (float) Math.exp(0.3 * lr.nextGaussian());
      }
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return ids.hasNext();
        }

        @Override
        public Row next() {
          long i = ids.next();
          SplittableRandom r = new SplittableRandom(Mix.mix(seed, ROWS, i));
          double noise = noiseMin + (noiseMax - noiseMin) * r.nextDouble();
          double u = r.nextDouble();
          int compound = (int) Math.min(compounds - 1, Math.floor(compounds * u * u));
          double[] z = new double[rank];
          for (int k = 0; k < rank; k++) {
            z[k] = r.nextGaussian();
          }
          Float[] x = new Float[genes];
          for (int g = 0; g < genes; g++) {
            double s = 0;
            for (int k = 0; k < rank; k++) {
              s += z[k] * load[k][g];
            }
            x[g] = (float) (offset[g] + scale[g] * (s + noise * r.nextGaussian()));
          }
          return RowFactory.create(id(i), x, noise, String.format("C%05d", compound));
        }
      };
    }
  }
}
