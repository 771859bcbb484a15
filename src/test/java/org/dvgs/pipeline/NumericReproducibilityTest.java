package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.SmallValuation;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A table does not depend on anything but the config and the data: not on how the source is batched or partitioned,
 * not on how many threads train or score, not on whether restarts were resumed, not on what the JVM did before.
 * Every comparison is exact.
 */
class NumericReproducibilityTest {
  static SparkSession spark;
  static Path dir;
  static String adultSource;
  static String adultTarget;

  @BeforeAll
  static void data() {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("reproducibility");
    // The layer shapes of the Adult protocol (108 inputs, two hidden layers of 100, two classes, 400 target rows
    // trained full-batch): at 4 intra-op threads MKL's default mode rounds their products differently from 1 thread.
    adultTarget = SyntheticData.write(spark, SyntheticData.classification(21, "t", 400, 2, 108, 0.3, 0.0), dir.resolve("adult-target").toString(), 1);
    adultSource = SyntheticData.write(spark, SyntheticData.classification(21, "s", 700, 2, 108, 0.3, 0.2), dir.resolve("adult-source").toString(), 3);
  }

  static ValuationJob.Outcome small(String name, String... more) {
    List<String> o = SmallValuation.overrides(spark, 600, dir.resolve(name).toString(), more);
    return ValuationJob.run(spark, ValuationRequest.of(TestConfigs.of(o.toArray(new String[0]))));
  }

  static ValuationJob.Outcome adult(String name, String... more) {
    List<String> o = new ArrayList<>(List.of(
        "input.source.path=\"" + adultSource + "\"", "input.target.path=\"" + adultTarget + "\"",
        "input.source.features.column=features", "input.target.features.column=features",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=label", "input.target.label-column=label",
        "input.scaling.method=min-max",
        "model.hidden=[100,100]", "model.activation=mish", "model.per-sample-norm=true", "model.class-balanced=true",
        "training.batch-size=400", "training.epochs=15", "training.restarts=1", "training.learning-rate=0.001",
        "scoring.batch-size=512", "output.path=\"" + dir.resolve(name) + "\""));
    o.addAll(List.of(more));
    return ValuationJob.run(spark, ValuationRequest.of(TestConfigs.of(o.toArray(new String[0]))));
  }

  static void assertSameTable(ValuationJob.Outcome expected, ValuationJob.Outcome actual, String what) {
    Map<String, double[]> a = SmallValuation.table(expected.values());
    Map<String, double[]> b = SmallValuation.table(actual.values());
    assertEquals(a.size(), b.size(), what + ": rows");
    assertEquals(0.0, SmallValuation.maxDifference(a, b), what);
  }

  @Test
  void batchingAndPartitioningMoveNoValue() {
    // Batches of 1 and 3 rows, a batch per partition, and repartitioned sources: every row sees other neighbours
    // (or none) in its batch, and partitions end in batches of every size.
    ValuationJob.Outcome reference = small("batch-64");
    for (String[] variant : List.of(
        new String[] {"scoring.batch-size=1"},
        new String[] {"scoring.batch-size=3"},
        new String[] {"scoring.batch-size=7", "scoring.partitions=5"},
        new String[] {"scoring.batch-size=1000", "scoring.partitions=1"},
        new String[] {"scoring.batch-size=50", "scoring.partitions=8"})) {
      assertSameTable(reference, small("batch-" + String.join("-", variant).replaceAll("[^a-z0-9-]", ""), variant),
          String.join(" ", variant) + " against batches of 64");
    }
  }

  @Test
  void threadCountsMoveNoValue() {
    ValuationJob.Outcome one = adult("threads-1", "training.intra-op-threads=1", "scoring.intra-op-threads=1");
    ValuationJob.Outcome four = adult("threads-4", "training.intra-op-threads=4", "scoring.intra-op-threads=4");
    assertSameTable(one, four, "1 against 4 intra-op threads in training and scoring");
    // The guarantee rests on MKL's strict reproducible mode, which the test JVM (like the launchers) sets, and
    // which sessions pass on to executors.
    assertEquals("AUTO,STRICT", four.manifest().numerics().mklCbwrDriver());
    assertEquals("AUTO,STRICT", four.manifest().numerics().mklCbwrExecutors());
  }

  @Test
  void resumedRestartsTrainAsInAFreshRun() throws Exception {
    String[] three = {"training.restarts=3"};
    ValuationJob.Outcome fresh = small("fresh", three);
    // A run killed after two of three restarts: the survivor trains one restart (on more threads per restart
    // than three would get if threads followed the restarts left).
    ValuationJob.Outcome first = small("resumed", three);
    Path snaps = Path.of(first.manifest().training().checkpointDir());
    Files.delete(snaps.resolve("restart-00001.snap"));
    Files.delete(Path.of(first.output(), "manifest.json"));
    ValuationJob.Outcome resumed = small("resumed", Stream.concat(Stream.of(three), Stream.of("output.overwrite=true")).toArray(String[]::new));
    assertEquals(2, resumed.manifest().training().restartsReused());
    assertSameTable(fresh, resumed, "resumed against fresh");
  }

  @Test
  void whatTheJvmDidBeforeMovesNoValue() {
    ValuationJob.Outcome before = adult("history-before");
    // Churn the native allocator the way a long-lived JVM does (odd-sized direct buffers, kept and dropped), so
    // that fresh allocations land at other addresses than they did for the first run.
    List<ByteBuffer> kept = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < 5000; i++) {
      ByteBuffer b = ByteBuffer.allocateDirect(1 + r.nextInt(20_000));
      if (r.nextBoolean()) {
        kept.add(b);
      }
    }
    ValuationJob.Outcome after = adult("history-after");
    assertTrue(kept.size() > 1000);
    assertSameTable(before, after, "the same run after allocator churn");
  }
}
