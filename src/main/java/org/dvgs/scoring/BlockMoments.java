package org.dvgs.scoring;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.dvgs.config.DeviceKind;
import org.dvgs.io.ExactSum;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.Snapshot;

/**
 * Each snapshot's mean and population standard deviation of the similarities over all source rows, for
 * {@code dvgs.aggregation.standardise}: a scoring pass of its own over the block, whose sums of s and s^2 are kept
 * exactly ({@link ExactSum}), so the moments depend neither on the partitioning nor on the order partitions are
 * merged in. The variance is {@code S2 / N - (S1 / N)^2} from the correctly rounded exact sums.
 */
public final class BlockMoments {
  private BlockMoments() {}

  /**
   * The moments of one block.
   *
   * @param rows valid rows in {@code batches}, or -1 to count them in the same pass
   * @return {@code {mean[], std[]}}, one entry per snapshot of the block
   */
  public static double[][] of(
      JavaRDD<SourceBatch> batches, long rows, Broadcast<ArrayList<Snapshot>> block, NetworkSpec spec, ScoringOptions options,
      DeviceKind device, int threads) {
    int k = block.value().size();
    ExactSum[] s1 = new ExactSum[k];
    ExactSum[] s2 = new ExactSum[k];
    for (int j = 0; j < k; j++) {
      s1[j] = new ExactSum();
      s2[j] = new ExactSum();
    }
    ExactSum counted = new ExactSum();
    for (ExactSum[][] part : batches.mapPartitions(new Sums(block, spec, options, device, threads)).collect()) {
      for (int j = 0; j < k; j++) {
        s1[j].add(part[0][j]);
        s2[j].add(part[1][j]);
      }
      counted.add(part[2][0]);
    }
    // The caller's count when it has one; else the rows the pass itself saw (the Spark ML model does not count first).
    double n = rows >= 0 ? rows : counted.value();
    double[] mean = new double[k];
    double[] std = new double[k];
    for (int j = 0; j < k; j++) {
      mean[j] = n > 0 ? s1[j].value() / n : 0.0;
      std[j] = n > 0 ? Math.sqrt(Math.max(0, s2[j].value() / n - mean[j] * mean[j])) : 0.0;
    }
    return new double[][] {mean, std};
  }

  /** Executor function: one partition's exact sums of s and s^2 per snapshot. */
  static final class Sums implements FlatMapFunction<Iterator<SourceBatch>, ExactSum[][]> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<ArrayList<Snapshot>> block;
    private final NetworkSpec spec;
    private final ScoringOptions options;
    private final DeviceKind device;
    private final int threads;

    Sums(Broadcast<ArrayList<Snapshot>> block, NetworkSpec spec, ScoringOptions options, DeviceKind device, int threads) {
      this.block = block;
      this.spec = spec;
      this.options = options;
      this.device = device;
      this.threads = threads;
    }

    @Override
    public Iterator<ExactSum[][]> call(Iterator<SourceBatch> batches) {
      int k = block.value().size();
      ExactSum[][] out = new ExactSum[][] {new ExactSum[k], new ExactSum[k], new ExactSum[] {new ExactSum()}};
      for (int j = 0; j < k; j++) {
        out[0][j] = new ExactSum();
        out[1][j] = new ExactSum();
      }
      try (SnapshotScorer scorer = ScoreBlock.open(spec, block.value(), options, device, threads)) {
        while (batches.hasNext()) {
          SourceBatch b = batches.next();
          if (b.rows() == 0) {
            // The Spark ML model keeps a partition's invalid rows in batches of their own.
            continue;
          }
          out[2][0].add(b.rows());
          double[][] sims = scorer.score(b.features(), b.labels(), b.keys(), b.rows());
          for (int j = 0; j < k; j++) {
            for (double v : sims[j]) {
              out[0][j].add(v);
              out[1][j].add(v * v);
            }
          }
        }
      }
      List<ExactSum[][]> one = new ArrayList<>(1);
      one.add(out);
      return one.iterator();
    }
  }
}
