package org.dvgs.l1000;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.core.InputException;
import org.dvgs.testing.GctxWriter;
import org.dvgs.testing.L1000Fixtures;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ingest command end to end: GCTX and GCT in, Parquet and manifest out, gene selection, APC. */
class IngestRunTest {
  @TempDir Path dir;

  private static Map<String, Row> byId(Dataset<Row> t) {
    Map<String, Row> m = new HashMap<>();
    for (Row r : t.collectAsList()) {
      m.put(r.getString(r.fieldIndex("sample_id")), r);
    }
    return m;
  }

  private static float[] features(Row r) {
    List<Object> l = r.getList(r.fieldIndex("features"));
    float[] f = new float[l.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = l.get(i) == null ? Float.NaN : ((Number) l.get(i)).floatValue();
    }
    return f;
  }

  @Test
  void realLevel5FixtureWithLandmarkField() {
    SparkSession spark = SharedSpark.get();
    String out = dir.resolve("modz").toString();
    Map<String, Object> m = org.dvgs.output.ManifestCodec.toMap(IngestRun.run(spark, TestConfigs.of(
        "ingest.input=" + L1000Fixtures.path("modzs_n25x50.gctx"),
        "ingest.genes.field=is_lm",
        "ingest.block-rows=7",
        "output.path=" + out)));
    assertEquals(25L, m.get("rows"));
    assertEquals(50, m.get("genes"));
    assertTrue(Files.exists(dir.resolve("modz/manifest.json")));
    Dataset<Row> t = spark.read().parquet(out + "/signatures");
    assertEquals(25, t.count());
    Row r = byId(t).get("CPC004_PC3_24H:BRD-A51714012-001-03-1:10");
    assertEquals("10 <b5>M", r.getString(r.fieldIndex("pert_idose")));
    assertEquals((float) -1.1453690528869629, features(r)[0]);
    assertTrue(List.of(t.columns()).containsAll(List.of("cell_id", "pert_id", "pert_iname", "pert_itime", "pert_type", "distil_nsample")));

    // The full landmark list names 978 probes; this 50-gene file lacks 928 of them: an error naming the file.
    InputException e = assertThrows(InputException.class, () -> IngestRun.run(spark, TestConfigs.of(
        "ingest.input=" + L1000Fixtures.path("modzs_n25x50.gctx"),
        "ingest.genes.ids-file=" + L1000Fixtures.path("lm_epsilon_n978.grp"),
        "output.path=" + dir.resolve("lm978"))));
    assertTrue(e.getMessage().contains("928 of 978 gene ids are not among the 50 row ids"), e.getMessage());
  }

  @Test
  void landmarksByFileFollowTheFileOrderAndMissingGenesAreNamed() throws Exception {
    SparkSession spark = SharedSpark.get();
    Path grp = dir.resolve("lm.grp");
    // h5dump: genes 49 and 0 of modzs_n25x50.gctx are 200966_x_at and 200814_at; sample 24, gene 49 = -0.7603.
    Files.writeString(grp, "# two landmarks\n200966_x_at\n200814_at\n");
    String out = dir.resolve("two").toString();
    Map<String, Object> m = org.dvgs.output.ManifestCodec.toMap(IngestRun.run(spark, TestConfigs.of(
        "ingest.input=" + L1000Fixtures.path("modzs_n25x50.gctx"), "ingest.genes.ids-file=" + grp, "output.path=" + out)));
    assertEquals(List.of("200966_x_at", "200814_at"), m.get("gene_ids"));
    Row r = byId(spark.read().parquet(out + "/signatures")).get("CPC006_TYKNU_6H:BRD-K56343971-001-02-3:10");
    assertEquals((float) -0.7602999210357666, features(r)[0]);

    Files.writeString(grp, "200966_x_at\nNOT_A_GENE\n");
    InputException e = assertThrows(InputException.class, () -> IngestRun.run(spark, TestConfigs.of(
        "ingest.input=" + L1000Fixtures.path("modzs_n25x50.gctx"), "ingest.genes.ids-file=" + grp,
        "output.path=" + dir.resolve("bad"))));
    assertTrue(e.getMessage().contains("NOT_A_GENE") && e.getMessage().contains("lm.grp"), e.getMessage());
  }

  @Test
  void landmarksByRowFieldAndAllMetadata() {
    SparkSession spark = SharedSpark.get();
    float[][] m = new float[9][5];
    String[] cols = new String[9];
    String[] pert = new String[9];
    for (int i = 0; i < 9; i++) {
      cols[i] = "s" + i;
      pert[i] = "BRD-" + (i % 3);
      for (int j = 0; j < 5; j++) {
        m[i][j] = i + j / 10f;
      }
    }
    Path file = new GctxWriter(m, new String[] {"5720", "466", "6009", "2101", "8635"}, cols)
        .rowField("pr_is_lmark", new String[] {"Y", "N", "Y", "N", "Y"})
        .colField("pert_id", pert)
        .colField("pert_dose", new double[] {1, 2, 3, 4, -666, 6, 7, 8, 9})
        .write(dir.resolve("beta.gctx"));
    String out = dir.resolve("beta").toString();
    Map<String, Object> man = org.dvgs.output.ManifestCodec.toMap(IngestRun.run(spark, TestConfigs.of(
        "ingest.input=" + file, "ingest.genes.field=pr_is_lmark", "ingest.genes.values=[Y]", "ingest.block-rows=4", "output.path=" + out)));
    assertEquals(List.of("5720", "6009", "8635"), man.get("gene_ids"));
    assertEquals(Map.of("pert_id", "string", "pert_dose", "double"), man.get("metadata_fields"));
    Map<String, Row> t = byId(spark.read().parquet(out + "/signatures"));
    assertEquals(9, t.size());
    float[] f = features(t.get("s7"));
    assertEquals(3, f.length);
    assertEquals(7.0f, f[0]);
    assertEquals(7.2f, f[1]);
    assertEquals(7.4f, f[2]);
    assertTrue(t.get("s4").isNullAt(t.get("s4").fieldIndex("pert_dose")), "-666 is a missing value");
    assertEquals("BRD-1", t.get("s7").getString(t.get("s7").fieldIndex("pert_id")));
  }

  @Test
  void landmarksFromAGeneInfoTable() throws Exception {
    SparkSession spark = SharedSpark.get();
    float[][] m = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
    Path file = new GctxWriter(m, new String[] {"10", "20", "30"}, new String[] {"a", "b", "c"}).write(dir.resolve("entrez.gctx"));
    Path info = dir.resolve("geneinfo.txt");
    Files.writeString(info, "gene_id\tgene_symbol\tfeature_space\n10\tA\tlandmark\n20\tB\tinferred\n30\tC\tlandmark\n");
    Map<String, Object> man = org.dvgs.output.ManifestCodec.toMap(IngestRun.run(spark, TestConfigs.of(
        "ingest.input=" + file, "ingest.genes.field=feature_space", "ingest.genes.values=[landmark]", "ingest.genes.info-file=" + info,
        "output.path=" + dir.resolve("entrez"))));
    assertEquals(List.of("10", "30"), man.get("gene_ids"));
  }

  /**
   * APC by hand. Level 4 replicates over genes (g0, g1, g2, g3):
   * r1 = (1, 2, 3, 4), r2 = (2, 4, 6, 8), r3 = (4, 3, 2, 1): pairs r1-r2 = 1, r1-r3 = -1, r2-r3 = -1, APC = -1/3.
   * r4 = (1, 2, 3, 4), r5 = (1, 2, 3, 5): deviations (-1.5, -.5, .5, 1.5) and (-1.75, -.75, .25, 2.25),
   * sum of products 6.5, sums of squares 5 and 8.75, APC = 6.5 / sqrt(43.75).
   * Signature C lists r1 and an absent replicate (1 found: no APC); D lists only absent ones (0 found).
   * The level 4 file orders its genes differently (and has an extra one): genes are matched by id.
   */
  @Test
  void apcMatchesAHandComputation() {
    SparkSession spark = SharedSpark.get();
    String[] genes = {"g0", "g1", "g2", "g3"};
    float[][] l5 = {{0, 0, 0, 1}, {0, 0, 1, 0}, {0, 1, 0, 0}, {1, 0, 0, 0}};
    Path level5 = new GctxWriter(l5, genes, new String[] {"A", "B", "C", "D"})
        .colField("distil_id", new String[] {"r1|r2|r3", "r4|r5", "r1|r9", "r8|r9"})
        .write(dir.resolve("l5.gctx"));
    float[][] byGene = {{1, 2, 3, 4}, {2, 4, 6, 8}, {4, 3, 2, 1}, {1, 2, 3, 4}, {1, 2, 3, 5}, {9, 9, 9, 9}};
    String[] l4genes = {"g3", "gX", "g1", "g0", "g2"};
    float[][] l4 = new float[byGene.length][5];
    for (int i = 0; i < byGene.length; i++) {
      l4[i] = new float[] {byGene[i][3], 100, byGene[i][1], byGene[i][0], byGene[i][2]};
    }
    Path level4 = new GctxWriter(l4, l4genes, new String[] {"r1", "r2", "r3", "r4", "r5", "r6"}).write(dir.resolve("l4.gctx"));
    String out = dir.resolve("apc").toString();
    Map<String, Object> man = org.dvgs.output.ManifestCodec.toMap(IngestRun.run(spark, TestConfigs.of(
        "ingest.input=" + level5, "ingest.level4=" + level4, "ingest.block-rows=2", "output.path=" + out)));
    Map<String, Row> t = byId(spark.read().parquet(out + "/signatures"));
    assertEquals(-1.0 / 3, t.get("A").getDouble(t.get("A").fieldIndex(Apc.APC)), 1e-6);
    assertEquals(6.5 / Math.sqrt(43.75), t.get("B").getDouble(t.get("B").fieldIndex(Apc.APC)), 1e-6);
    assertTrue(t.get("C").isNullAt(t.get("C").fieldIndex(Apc.APC)));
    assertEquals(1, t.get("C").getInt(t.get("C").fieldIndex(Apc.FOUND)));
    assertTrue(t.get("D").isNullAt(t.get("D").fieldIndex(Apc.APC)));
    assertEquals(0, t.get("D").getInt(t.get("D").fieldIndex(Apc.FOUND)));
    assertEquals(3, t.get("A").getInt(t.get("A").fieldIndex(Apc.FOUND)));
    @SuppressWarnings("unchecked")
    Map<String, Object> apc = (Map<String, Object>) man.get("apc");
    assertEquals(2, ((Number) apc.get("signatures_with_apc")).intValue());
    assertEquals(2, ((Number) apc.get("signatures_without_apc")).intValue());
    assertEquals(6, ((Number) apc.get("replicates_found")).intValue());
    // The plain function agrees, and a constant profile contributes no pair.
    assertEquals(-1.0 / 3, Apc.apc(List.of(byGene[0], byGene[1], byGene[2])), 1e-12);
    assertTrue(Double.isNaN(Apc.pearson(byGene[5], byGene[0])));
  }

  @Test
  void gctTextVersions() throws Exception {
    SparkSession spark = SharedSpark.get();
    Path v12 = dir.resolve("m.gct");
    Files.writeString(v12, "#1.2\n3\t2\nName\tDescription\tS1\tS2\ng1\tgene one\t1.5\t-2\ng2\tgene two\tNaN\t4\ng3\t\t-666\t6e-1\n");
    String out = dir.resolve("gct12").toString();
    Map<String, Object> m = org.dvgs.output.ManifestCodec.toMap(IngestRun.run(spark, TestConfigs.of("ingest.input=" + v12, "output.path=" + out)));
    assertEquals(2L, m.get("rows"));
    Map<String, Row> t = byId(spark.read().parquet(out + "/signatures"));
    float[] s1 = features(t.get("S1"));
    assertEquals(1.5f, s1[0]);
    assertTrue(Float.isNaN(s1[1]) && Float.isNaN(s1[2]));
    assertEquals(0.6f, features(t.get("S2"))[2]);

    Path v13 = dir.resolve("m13.gct");
    Files.writeString(v13, String.join("\n",
        "#1.3", "2\t3\t1\t2",
        "id\tis_lm\tA\tB\tC",
        "pert_id\tna\tBRD-1\tBRD-2\tBRD-1",
        "pert_dose\tna\t10\t-666\t2.5",
        "g1\t1\t1\t2\t3",
        "g2\t0\t4\t5\t6", ""));
    String out13 = dir.resolve("gct13").toString();
    Map<String, Object> m13 = org.dvgs.output.ManifestCodec.toMap(IngestRun.run(spark, TestConfigs.of(
        "ingest.input=" + v13, "ingest.genes.field=is_lm", "output.path=" + out13)));
    assertEquals(List.of("g1"), m13.get("gene_ids"));
    Map<String, Row> t13 = byId(spark.read().parquet(out13 + "/signatures"));
    assertEquals(3.0f, features(t13.get("C"))[0]);
    assertEquals(2.5, t13.get("C").getDouble(t13.get("C").fieldIndex("pert_dose")));
    assertTrue(t13.get("B").isNullAt(t13.get("B").fieldIndex("pert_dose")));
    assertEquals("BRD-2", t13.get("B").getString(t13.get("B").fieldIndex("pert_id")));
  }

  @Test
  void badFilesAreClearErrors() throws Exception {
    SparkSession spark = SharedSpark.get();
    Path gct = dir.resolve("bad.gct");
    Files.writeString(gct, "#1.2\n2\t2\nName\tDescription\tS1\tS2\ng1\td\t1\tabc\ng2\td\t1\t2\n");
    InputException e = assertThrows(InputException.class, () -> IngestRun.run(spark, TestConfigs.of("ingest.input=" + gct, "output.path=" + dir.resolve("o1"))));
    assertTrue(e.getMessage().contains("bad.gct, line 4, sample 'S2': 'abc' is not a number"), e.getMessage());

    Files.writeString(gct, "#1.2\n3\t2\nName\tDescription\tS1\tS2\ng1\td\t1\t2\n");
    e = assertThrows(InputException.class, () -> IngestRun.run(spark, TestConfigs.of("ingest.input=" + gct, "output.path=" + dir.resolve("o2"))));
    assertTrue(e.getMessage().contains("ends after 1 gene lines; line 2 says 3"), e.getMessage());

    Files.writeString(gct, "#1.2\n1\t2\nName\tDescription\tS1\tS2\ng1\td\t1\n");
    e = assertThrows(InputException.class, () -> IngestRun.run(spark, TestConfigs.of("ingest.input=" + gct, "output.path=" + dir.resolve("o3"))));
    assertTrue(e.getMessage().contains("line 4") && e.getMessage().contains("expected 4 tab-separated fields, found 3"), e.getMessage());

    // A GCTX whose matrix fails only when an executor reads it: the same clear error reaches the caller.
    byte[] all = Files.readAllBytes(L1000Fixtures.path("test_n5x10.gctx"));
    Path trunc = dir.resolve("trunc.gctx");
    Files.write(trunc, java.util.Arrays.copyOf(all, all.length - 200));
    e = assertThrows(InputException.class, () -> IngestRun.run(spark, TestConfigs.of("ingest.input=" + trunc, "output.path=" + dir.resolve("o4"))));
    assertTrue(e.getMessage().contains("trunc.gctx"), e.getMessage());
    assertFalse(e.getMessage().contains("Job aborted"), e.getMessage());

    // A header that claims more genes x samples than the file can hold: an error at line 2, not a huge allocation.
    StringBuilder wide = new StringBuilder("#1.2\n40000\t50000\nName\tDescription");
    for (int j = 0; j < 50000; j++) {
      wide.append("\tS").append(j);
    }
    wide.append("\ng1\td").append("\t1".repeat(50000)).append('\n');
    Files.writeString(gct, wide);
    e = assertThrows(InputException.class, () -> IngestRun.run(spark, TestConfigs.of("ingest.input=" + gct, "output.path=" + dir.resolve("o6"))));
    assertTrue(e.getMessage().startsWith("GCT file " + gct + ", line 2: 40000 genes x 50000 samples need at least 2000090001 bytes, but the file has "), e.getMessage());

    // Duplicate sample ids are an error naming them.
    Path dup = new GctxWriter(new float[][] {{1}, {2}}, new String[] {"g"}, new String[] {"x", "x"}).write(dir.resolve("dup.gctx"));
    e = assertThrows(InputException.class, () -> IngestRun.run(spark, TestConfigs.of("ingest.input=" + dup, "output.path=" + dir.resolve("o5"))));
    assertTrue(e.getMessage().contains("not unique") && e.getMessage().contains("x"), e.getMessage());
  }

  @Test
  void aCorruptGctxIsOneLineNamingTheFileAndDatasetWhereverItIsFound() {
    SparkSession spark = SharedSpark.get();
    // The matrix's chunk index is corrupt: found when the driver opens the file.
    Path flipped = L1000Fixtures.flippedChunkIndex(dir.resolve("flipped.gctx"));
    InputException e = assertThrows(InputException.class,
        () -> IngestRun.run(spark, TestConfigs.of("ingest.input=" + flipped, "output.path=" + dir.resolve("f1"))));
    assertTrue(e.getMessage().startsWith("GCTX file " + flipped + ": cannot read /0/DATA/0/matrix") && e.getMessage().contains("B tree V1 node signature"),
        e.getMessage());

    // The matrix's data is corrupt: found only by the executor that decompresses it, and reported the same way,
    // with the block it read, instead of as a failed Spark job.
    Path broken = L1000Fixtures.brokenMatrixChunk(dir.resolve("broken.gctx"));
    e = assertThrows(InputException.class,
        () -> IngestRun.run(spark, TestConfigs.of("ingest.input=" + broken, "output.path=" + dir.resolve("f2"))));
    assertTrue(e.getMessage().startsWith("GCTX file " + broken + ": cannot read /0/DATA/0/matrix samples [0, 5) (truncated or malformed file?): "),
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    boolean viaJob = false;
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      viaJob |= t instanceof org.apache.spark.SparkException;
    }
    assertTrue(viaJob, "found by an executor: the job failure is the cause");
  }
}
