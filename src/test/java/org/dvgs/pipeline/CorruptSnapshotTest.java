package org.dvgs.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.dvgs.output.ManifestCodec;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.SmallValuation;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A damaged snapshot file in a reused checkpoint directory (cut short by a few bytes or by a whole snapshot, a
 * byte flipped in the middle, bytes appended) is found before scoring, moved aside under a name that says so, and
 * its restart trained again: the run has every checkpoint and the table of a run on intact files.
 */
class CorruptSnapshotTest {
  static SparkSession spark;
  static Path dir;
  static Path clean;
  static Map<String, double[]> reference;
  static long snapshots;

  @BeforeAll
  static void setUp() {
    spark = SharedSpark.get();
    dir = SharedSpark.tempDir("corrupt-snapshot");
    clean = dir.resolve("clean-checkpoints");
    ValuationJob.Outcome o = run("reference", clean);
    reference = SmallValuation.table(o.values());
    snapshots = ((Number) training(o).get("snapshots")).longValue();
    assertEquals(2 * 3 * 4, snapshots, "restarts x epochs x ceil(200 / 50)");
  }

  static ValuationJob.Outcome run(String name, Path checkpoints) {
    List<String> o = SmallValuation.overrides(spark, 600, dir.resolve(name).toString(), "training.checkpoint-dir=" + checkpoints);
    return ValuationJob.run(spark, ValuationRequest.of(TestConfigs.of(o.toArray(new String[0]))));
  }

  static Map<?, ?> training(ValuationJob.Outcome o) {
    return (Map<?, ?>) ManifestCodec.toMap(o.manifest()).get("training");
  }

  /** A copy of the clean checkpoint directory; returns the copy of restart 1's file. */
  static Path copy(Path to) throws IOException {
    Path file = null;
    try (Stream<Path> s = Files.walk(clean)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path q = to.resolve(clean.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else if (!p.getFileName().toString().startsWith(".")) {
          Files.copy(p, q);
          if (q.getFileName().toString().equals("restart-00001.snap")) {
            file = q;
          }
        }
      }
    }
    assertTrue(file != null, "restart 1 was persisted");
    return file;
  }

  static void damagedFileIsRetrained(String kind, java.util.function.UnaryOperator<byte[]> damage) throws IOException {
    Path ckpt = dir.resolve(kind + "-checkpoints");
    Path file = copy(ckpt);
    Files.write(file, damage.apply(Files.readAllBytes(file)));

    ValuationJob.Outcome o = run(kind, ckpt);
    Map<?, ?> t = training(o);
    assertEquals(snapshots, ((Number) t.get("snapshots")).longValue(), kind + ": every checkpoint scored");
    assertEquals(1, ((Number) t.get("restarts_reused")).intValue(), kind + ": restart 0 reused, restart 1 retrained");
    Map<?, ?> r1 = (Map<?, ?>) ((List<?>) t.get("restarts")).get(1);
    assertEquals(Boolean.FALSE, r1.get("reused"), kind);
    assertEquals(0.0, SmallValuation.maxDifference(reference, SmallValuation.table(o.values())), kind + ": table differs from the clean run");

    List<Path> aside = new ArrayList<>();
    try (Stream<Path> s = Files.list(file.getParent())) {
      s.filter(p -> p.getFileName().toString().startsWith("restart-00001.snap.corrupt-")).forEach(aside::add);
    }
    assertEquals(1, aside.size(), kind + ": the damaged file is kept aside: " + aside);

    // The retrained file is whole: the next run reuses both restarts and reads every checkpoint.
    ValuationJob.Outcome again = run(kind + "-again", ckpt);
    assertEquals(2, ((Number) training(again).get("restarts_reused")).intValue(), kind);
    assertEquals(snapshots, ((Number) training(again).get("snapshots")).longValue(), kind);
  }

  @Test
  void fileCutShortByAFewBytes() throws IOException {
    damagedFileIsRetrained("cut-bytes", b -> java.util.Arrays.copyOf(b, b.length - 3));
  }

  @Test
  void fileCutShortByOneWholeSnapshot() throws IOException {
    // The last snapshot of a [8, 16, 16, 3] network in the format without trailer of earlier versions: 20 bytes of
    // restart, iteration and loss, then the parameters and the target gradient, 467 floats each. Cutting it (and
    // the trailer, if any) leaves a file that ends cleanly after a snapshot.
    int params = 8 * 16 + 16 + 16 * 16 + 16 + 16 * 3 + 3;
    damagedFileIsRetrained("cut-snapshot", b -> {
      int record = 20 + 2 * 4 * params;
      int trailer = trailerLength(b);
      int tag = trailer > 0 ? 1 : 0;
      byte[] cut = java.util.Arrays.copyOf(b, b.length - trailer - record - tag);
      return cut;
    });
  }

  /** The trailer's length: 21 bytes in the current format ("DVGSSNP3"), none before it. */
  static int trailerLength(byte[] b) {
    return b[7] >= '3' ? 21 : 0;
  }

  @Test
  void byteFlippedInTheMiddle() throws IOException {
    damagedFileIsRetrained("flipped", b -> {
      byte[] c = b.clone();
      c[c.length / 2] ^= 0x40;
      return c;
    });
  }

  @Test
  void garbageAppended() throws IOException {
    damagedFileIsRetrained("appended", b -> {
      byte[] c = java.util.Arrays.copyOf(b, b.length + 64);
      for (int i = b.length; i < c.length; i++) {
        c[i] = (byte) (i * 31);
      }
      return c;
    });
  }
}
