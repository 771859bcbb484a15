package org.dvgs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.dvgs.config.DvgsConfig;
import org.dvgs.config.SplitMode;
import org.junit.jupiter.api.Test;

/** The ingest, l1000 and scale commands' arguments and configs, checked before any Spark work starts. */
class IngestCliTest {
  private static String[] run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new String[] {String.valueOf(status), err.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void ingestArgumentErrors() {
    String[] r = run("ingest", "--output", "/tmp/x");
    assertEquals("2", r[0]);
    assertTrue(r[1].contains("dvgs.ingest.input is empty"), r[1]);
    r = run("ingest", "--input", "/data/matrix.txt", "--output", "/tmp/x");
    assertEquals("2", r[0]);
    assertTrue(r[1].contains("dvgs.ingest.format"), r[1]);
    r = run("ingest", "--input", "a.gctx", "--output", "/tmp/x", "--genes", "lm.grp", "ingest.genes.field=is_lm");
    assertEquals("2", r[0]);
    assertTrue(r[1].contains("dvgs.ingest.genes.ids-file and dvgs.ingest.genes.field are both set"), r[1]);
    r = run("value", "--input", "a.gctx", "--output", "/tmp/x");
    assertEquals("2", r[0]);
    assertTrue(r[1].contains("--input is only for"), r[1]);
    r = run("scale", "--output", "/tmp/x", "scale.rank=2000");
    assertEquals("2", r[0]);
    assertTrue(r[1].contains("dvgs.scale.rank"), r[1]);
  }

  @Test
  void aGctxCorruptWhereOnlyAnExecutorSeesItExitsTwoWithOneLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    org.dvgs.testing.SharedSpark.get(); // the command runs on the test session (and leaves it running)
    java.nio.file.Path broken = org.dvgs.testing.L1000Fixtures.brokenMatrixChunk(dir.resolve("broken.gctx"));
    String[] r = run("ingest", "--input", broken.toString(), "--output", dir.resolve("out").toString());
    assertEquals("2", r[0], r[1]);
    assertTrue(r[1].startsWith("dvgs: GCTX file " + broken + ": cannot read /0/DATA/0/matrix samples [0, 5) (truncated or malformed file?): "), r[1]);
    assertEquals(1, r[1].strip().lines().count(), "one line: " + r[1]);
  }

  @Test
  void shippedL1000ConfigsLoad() {
    DvgsConfig exp = DvgsConfig.load(new File("conf/experiments/l1000-ae.conf"), List.of());
    assertEquals(SplitMode.GROUP_BALANCED, exp.input().splitMode());
    assertEquals(List.of(256, 256, 64, 256, 256), exp.model().hidden());
    DvgsConfig scale = DvgsConfig.load(new File("conf/bench/l1000-scale.conf"), List.of());
    assertEquals(List.of(50_000L, 200_000L, 710_216L), scale.scale().rows());
    assertEquals(978, scale.scale().genes());
  }
}
