package org.dvgs.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.dvgs.aggregation.ValueTable;
import org.dvgs.core.CanonicalRow;
import org.dvgs.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Source batches do not depend on the order rows arrive in, and row statistics refuse to be joined with a batch
 * they were not computed for.
 */
class SourceBatchTest {
  static SparkSession spark;
  static JavaSparkContext jsc;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  static List<CanonicalRow> rows(int n) {
    List<CanonicalRow> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new CanonicalRow("r" + i, new float[] {i, -i, 0.5f * i}, i % 2, null, i % 5 == 0, false));
    }
    return out;
  }

  static List<SourceBatch> pack(List<CanonicalRow> rows, int batchSize) {
    List<SourceBatch> out = new ArrayList<>();
    Iterator<SourceBatch> it = new SourceBatch.Pack(batchSize, 3).call(rows.iterator());
    it.forEachRemaining(out::add);
    return out;
  }

  @Test
  void packingDependsOnTheRowsNotOnTheOrderTheyArriveIn() {
    List<CanonicalRow> inOrder = rows(250);
    List<CanonicalRow> shuffled = new ArrayList<>(inOrder);
    Collections.shuffle(shuffled, new Random(7));
    List<SourceBatch> a = pack(inOrder, 64);
    List<SourceBatch> b = pack(shuffled, 64);
    assertEquals(4, a.size());
    assertEquals(a.size(), b.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i).ids(), b.get(i).ids(), "ids of batch " + i);
      assertArrayEquals(a.get(i).keys(), b.get(i).keys());
      assertArrayEquals(a.get(i).features(), b.get(i).features());
      assertArrayEquals(a.get(i).labels(), b.get(i).labels());
      assertArrayEquals(a.get(i).corrupted(), b.get(i).corrupted());
      for (int r = 0; r < a.get(i).rows(); r++) {
        String id = a.get(i).ids()[r];
        int n = Integer.parseInt(id.substring(1));
        assertEquals((float) -n, a.get(i).features()[3 * r + 1], "features stay with " + id);
        assertEquals(n % 2, a.get(i).labels()[r], 0f, "label stays with " + id);
        assertTrue(seen.add(id));
      }
    }
    assertEquals(250, seen.size(), "every row packed once");
  }

  @Test
  void partitionByIdPutsEveryRowInTheSamePartitionWhateverItsInputPosition() {
    List<CanonicalRow> inOrder = rows(300);
    List<CanonicalRow> shuffled = new ArrayList<>(inOrder);
    Collections.shuffle(shuffled, new Random(3));
    List<List<CanonicalRow>> a = SourceBatch.partitionById(jsc.parallelize(inOrder, 2), 3).glom().collect();
    List<List<CanonicalRow>> b = SourceBatch.partitionById(jsc.parallelize(shuffled, 5), 3).glom().collect();
    for (int p = 0; p < 3; p++) {
      assertEquals(ids(a.get(p)), ids(b.get(p)), "rows of partition " + p);
      assertTrue(a.get(p).size() > 50, "hash partitions are balanced: " + a.get(p).size());
    }
    List<List<CanonicalRow>> sorted = SourceBatch.partitionAndSortById(jsc.parallelize(shuffled, 5), 3).glom().collect();
    for (int p = 0; p < 3; p++) {
      List<String> expected = new ArrayList<>();
      for (SourceBatch batch : pack(a.get(p), 1000)) {
        expected.addAll(List.of(batch.ids()));
      }
      List<String> got = new ArrayList<>();
      sorted.get(p).forEach(r -> got.add(r.id()));
      assertEquals(expected, got, "sorted in the shuffle in the order Pack uses, partition " + p);
    }
  }

  @Test
  void rowCountsAreLongs() {
    // 1,025 batches of 2^21 rows each, made on the executors: 2^31 + 2^21 rows, more than an int holds.
    List<Integer> n = new ArrayList<>();
    for (int i = 0; i < 1025; i++) {
      n.add(i);
    }
    assertEquals((1L << 31) + (1L << 21), SourceBatch.count(jsc.parallelize(n, 2).map(new Large())));
  }

  /** A batch of 2^21 rows with no features (only its row count matters). */
  static final class Large implements org.apache.spark.api.java.function.Function<Integer, SourceBatch> {
    private static final long serialVersionUID = 1L;

    @Override
    public SourceBatch call(Integer i) {
      return new SourceBatch(new String[1 << 21], new long[0], new float[0], new float[0], new boolean[0], 0);
    }
  }

  static Set<String> ids(List<CanonicalRow> rows) {
    Set<String> s = new HashSet<>();
    rows.forEach(r -> s.add(r.id()));
    return s;
  }

  /** Two partitions of 100 rows each; with {@code swap}, rows r99 and r100 trade partitions. */
  static JavaRDD<SourceBatch> batches(boolean swap) {
    List<CanonicalRow> all = rows(200);
    if (swap) {
      Collections.swap(all, 99, 100);
    }
    return jsc.parallelize(all, 2).mapPartitions(new SourceBatch.Pack(64, 3));
  }

  @Test
  void statisticsOfOtherRowsAreRefusedByTheValueTable() {
    JavaRDD<RowStats> stats = batches(false).map(new ScoreBlock.Init());
    assertEquals(200, ValueTable.build(spark, batches(false), stats, "run-a", false).count(), "matching batches join");
    SparkException e = assertThrows(SparkException.class,
        () -> ValueTable.build(spark, batches(true), stats, "run-a", false).collectAsList());
    assertTrue(String.valueOf(e.getMessage()).contains("do not belong to the source batch"), e.getMessage());
  }

  @Test
  void statisticsOfOtherRowsAreRefusedByScoring() {
    org.dvgs.model.NetworkSpec spec = new org.dvgs.model.NetworkSpec(
        org.dvgs.config.Task.CLASSIFIER, new int[] {3, 4, 2}, org.dvgs.config.ActivationKind.RELU, 0.0, false, 2);
    org.dvgs.model.Snapshot snap = new org.dvgs.model.Snapshot(
        0, 0, 1.0, org.dvgs.model.ParameterSet.initial(spec, 1), org.dvgs.model.ParameterSet.initial(spec, 2));
    ArrayList<org.dvgs.model.Snapshot> block = new ArrayList<>(List.of(snap));
    ScoringOptions options = new ScoringOptions(
        org.dvgs.config.SimilarityMetric.COSINE, org.dvgs.config.ScoringMethod.GHOST, null, false, 1);
    ScoreBlock score = new ScoreBlock(jsc.broadcast(block), spec, options, org.dvgs.config.DeviceKind.CPU, 1);
    JavaRDD<RowStats> stats = batches(false).map(new ScoreBlock.Init());
    assertEquals(4, stats.zipPartitions(batches(false), score).count(), "matching batches are scored");
    SparkException e = assertThrows(SparkException.class, () -> stats.zipPartitions(batches(true), score).collect());
    assertTrue(String.valueOf(e.getMessage()).contains("do not belong to the source batch"), e.getMessage());
  }
}
