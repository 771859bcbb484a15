package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.dvgs.output.Manifest;
import org.dvgs.testing.ChildDriver;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.SmallValuation;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/**
 * Two driver processes valuing the same config with one shared {@code training.checkpoint-dir} at the same time
 * (both train the same restarts and publish the same snapshot files) both finish, with identical tables, and leave
 * one whole file per restart.
 */
class SharedCheckpointDirTest {
  @Test
  void twoRunsSharingACheckpointDirAtOnceBothFinishWithTheSameTable() throws Exception {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir("shared-checkpoints");
    Path ckpt = dir.resolve("checkpoints");
    // 1,200 optimizer steps per restart (a few seconds), so that both drivers are training when the other starts;
    // a snapshot every 20 steps keeps scoring short.
    String[] more = {"training.epochs=300", "training.snapshot-every=20", "training.checkpoint-dir=" + ckpt};
    List<Process> runs = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    List<String> outs = new ArrayList<>();
    for (String name : List.of("a", "b")) {
      String out = dir.resolve(name).toString();
      Path log = dir.resolve(name + ".log");
      runs.add(new ChildDriver().conf("spark.master", "local[2]").start(log, ChildDriver.valueArgs(SmallValuation.overrides(spark, 600, out, more))));
      logs.add(log);
      outs.add(out);
    }
    for (int i = 0; i < 2; i++) {
      assertTrue(runs.get(i).waitFor(600, TimeUnit.SECONDS), "run " + i + " did not finish; log:\n" + ChildDriver.tail(logs.get(i)));
    }
    for (int i = 0; i < 2; i++) {
      assertEquals(0, runs.get(i).exitValue(), "run " + i + " failed; log:\n" + ChildDriver.tail(logs.get(i)));
    }

    List<Map<String, double[]>> tables = new ArrayList<>();
    for (String out : outs) {
      Map<String, Object> m = Manifest.read(spark.sparkContext().hadoopConfiguration(), out);
      assertEquals(120, ((Number) ((Map<?, ?>) m.get("training")).get("snapshots")).longValue(), out + ": 2 restarts x 60 snapshots");
      tables.add(SmallValuation.table(spark.read().parquet(Path.of(out, "values").toString())));
    }
    assertEquals(600, tables.get(0).size());
    assertEquals(0.0, SmallValuation.maxDifference(tables.get(0), tables.get(1)), "the two runs' tables differ");

    List<String> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(ckpt)) {
      s.filter(Files::isRegularFile).forEach(p -> files.add(p.getFileName().toString()));
    }
    files.sort(null);
    assertEquals(List.of("fingerprint.json", "restart-00000.snap", "restart-00001.snap"), files, "one whole file per restart, no leftovers");

    // The files verify: a third run reuses both restarts and scores every snapshot.
    List<String> o = SmallValuation.overrides(spark, 600, dir.resolve("c").toString(), more);
    ValuationJob.Outcome c = ValuationJob.run(spark, ValuationRequest.of(TestConfigs.of(o.toArray(new String[0]))));
    assertEquals(2, c.manifest().training().restartsReused());
    assertEquals(120, c.manifest().training().snapshots());
  }
}
