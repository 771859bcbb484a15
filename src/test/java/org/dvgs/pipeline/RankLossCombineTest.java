package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.ValueCombine;
import org.dvgs.core.Auroc;
import org.dvgs.core.Stats;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/**
 * dvgs.aggregation.combine = rank-loss: the mean of the similarity's percentile rank and minus the own loss's, on
 * the flipped-label data of {@link AggregationTest}; exact under any partitioning, and none leaves the values alone.
 */
class RankLossCombineTest {

  @Test
  void rankLossIsTheMeanOfTwoRanksAndIndependentOfPartitioning() {
    AggregationTest.data();
    Map<String, double[]> none = AggregationTest.table();
    AggregationTest.assertSame(none, AggregationTest.table("aggregation.combine=none"));
    Map<String, double[]> a = AggregationTest.table("aggregation.combine=rank-loss", "scoring.partitions=1", "scoring.batch-size=1000");
    Map<String, double[]> b = AggregationTest.table("aggregation.combine=rank-loss", "scoring.partitions=5", "scoring.batch-size=9");
    AggregationTest.assertSame(a, b);
    AggregationTest.assertSame(a, AggregationTest.table("aggregation.combine=rank-loss", "scoring.partitions=3"));

    String[] ids = none.keySet().toArray(new String[0]);
    Arrays.sort(ids);
    int n = ids.length;
    double[] sim = new double[n];
    double[] combined = new double[n];
    boolean[] flipped = new boolean[n];
    Map<String, Boolean> truth = corrupted();
    for (int i = 0; i < n; i++) {
      sim[i] = none.get(ids[i])[0];
      combined[i] = a.get(ids[i])[0];
      flipped[i] = truth.get(ids[i]);
      // value_std and n_checkpoints stay the similarity's.
      assertEquals(none.get(ids[i])[1], a.get(ids[i])[1], 0.0);
      assertEquals(none.get(ids[i])[2], a.get(ids[i])[2], 0.0);
    }
    // value = (rank(sim) + rank(-loss)) / 2 with ranks (average over ties) / n: what remains after removing the
    // similarity's rank is a set of loss ranks, one each of 1/n .. n/n when no two losses tie.
    double[] simRank = Stats.ranks(sim);
    double[] lossRank = new double[n];
    for (int i = 0; i < n; i++) {
      assertTrue(combined[i] > 0 && combined[i] <= 1, "value " + combined[i]);
      lossRank[i] = Math.round((2 * combined[i] - simRank[i] / n) * n * 2) / 2.0;
    }
    double[] sorted = lossRank.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < n; i++) {
      assertEquals(i + 1, sorted[i], 0.0, "loss ranks " + Arrays.toString(sorted));
    }
    // Flipped labels show in the loss as in the similarity: the combination finds them well above chance, and
    // about as well as the better of its parts (a low value means likely flipped).
    double aSim = auroc(sim, flipped);
    double aLoss = auroc(lossRank, flipped);
    double aComb = auroc(combined, flipped);
    assertTrue(aComb > 0.65, "rank-loss AUROC " + aComb + " (similarity " + aSim + ", loss " + aLoss + ")");
    assertTrue(aComb > Math.max(aSim, aLoss) - 0.05, "rank-loss AUROC " + aComb + " (similarity " + aSim + ", loss " + aLoss + ")");
  }

  @Test
  void combineIsTypedPinnedByThePaperPresetAndValidated() {
    assertEquals(ValueCombine.NONE, TestConfigs.of().aggregation().combine());
    assertEquals(ValueCombine.RANK_LOSS, TestConfigs.of("aggregation.combine=rank-loss").aggregation().combine());
    ConfigValidationException bad = assertThrows(ConfigValidationException.class, () -> TestConfigs.of("aggregation.combine=rank"));
    assertTrue(bad.getMessage().contains("dvgs.aggregation.combine") && bad.getMessage().contains("rank-loss"), bad.getMessage());
    ConfigValidationException pinned =
        assertThrows(ConfigValidationException.class, () -> TestConfigs.of("preset=paper", "aggregation.combine=rank-loss"));
    assertTrue(pinned.getMessage().contains("dvgs.aggregation.combine"), pinned.getMessage());
  }

  /** AUROC of finding the flipped rows by low scores. */
  private static double auroc(double[] score, boolean[] flipped) {
    double[] minus = new double[score.length];
    for (int i = 0; i < score.length; i++) {
      minus[i] = -score[i];
    }
    return Auroc.of(minus, flipped);
  }

  private static Map<String, Boolean> corrupted() {
    Map<String, Boolean> m = new HashMap<>();
    for (Row r : AggregationTest.spark.read().parquet(AggregationTest.source).select("id", "corrupted").collectAsList()) {
      m.put(r.getString(0), r.getBoolean(1));
    }
    return m;
  }
}
