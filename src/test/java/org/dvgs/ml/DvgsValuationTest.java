package org.dvgs.ml;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;
import org.dvgs.core.Auroc;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.core.InputException;
import org.dvgs.pipeline.ValuationJob;
import org.dvgs.pipeline.ValuationRequest;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.SmallValuation;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Spark ML API on real Spark and PyTorch: finding flipped labels, persistence, pipelines, bad rows, schemas. */
class DvgsValuationTest {
  private static SparkSession spark;
  private static Dataset<Row> target;
  private static Dataset<Row> source;
  private static DvgsValuationModel model;

  @BeforeAll
  static void fitOnce() {
    spark = SharedSpark.get();
    target = spark.createDataFrame(SyntheticData.classification(21, "t", 200, 3, 8, 1.2, 0.0), SyntheticData.schema());
    source = spark.createDataFrame(SyntheticData.classification(21, "s", 400, 3, 8, 1.2, 0.2), SyntheticData.schema()).repartition(3);
    model = small(new DvgsValuation()).setIdCol("id").fit(target);
  }

  /** A tiny network, trained briefly. */
  static DvgsValuation small(DvgsValuation v) {
    return v.setHidden(new int[] {16, 16}).setActivation("mish").setBatchSize(50).setEpochs(3).setRestarts(2)
        .setLearningRate(0.01).setScoringBatchSize(64).setSeed(5);
  }

  /** id -> {value, value_std (NaN when null), n_checkpoints}. */
  static Map<String, double[]> values(Dataset<Row> valued, String idCol) {
    Map<String, double[]> m = new HashMap<>();
    for (Row r : valued.select(idCol, "value", "value_std", "n_checkpoints").collectAsList()) {
      m.put(r.getString(0), new double[] {r.getDouble(1), r.isNullAt(2) ? Double.NaN : r.getDouble(2), r.getInt(3)});
    }
    return m;
  }

  static void assertSameValues(Map<String, double[]> expected, Map<String, double[]> actual) {
    assertEquals(expected.keySet(), actual.keySet());
    for (Map.Entry<String, double[]> e : expected.entrySet()) {
      double[] a = actual.get(e.getKey());
      for (int i = 0; i < 3; i++) {
        assertEquals(Double.doubleToLongBits(e.getValue()[i]), Double.doubleToLongBits(a[i]), "row " + e.getKey() + " column " + i);
      }
    }
  }

  static double auroc(Dataset<Row> valued) {
    List<Row> rows = valued.select("value", "corrupted").collectAsList();
    double[] s = new double[rows.size()];
    boolean[] p = new boolean[rows.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = -rows.get(i).getDouble(0);
      p[i] = rows.get(i).getBoolean(1);
    }
    return Auroc.of(s, p);
  }

  static String message(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getMessage()).append('\n');
    }
    return b.toString();
  }

  @Test
  void findsFlippedLabelsAndSummarises() {
    // One action on the transform's DataFrame, so that the summary counts each row once.
    Dataset<Row> valued = model.transform(source).cache();
    assertEquals(400, valued.count());
    double auc = auroc(valued);
    assertTrue(auc >= 0.85, "AUROC(corrupted, -value) = " + auc);
    DvgsValuationSummary s = model.summary();
    assertEquals(2, s.restarts());
    assertEquals(2 * 3 * 4, s.snapshots(), "restarts x epochs x ceil(200/50)");
    assertEquals(2, s.training().size());
    for (DvgsValuationSummary.Restart r : s.training()) {
      assertTrue(r.lastLoss() < r.firstLoss(), "restart " + r.restart() + " loss " + r.firstLoss() + " -> " + r.lastLoss());
      assertEquals(12, r.snapshots());
    }
    assertEquals(400, s.lastTransform().rowsValued());
    assertEquals(0, s.lastTransform().rowsRejected());
    assertTrue(s.timings().get("train_s") > 0);
    assertEquals(24, valued.first().getInt(valued.schema().fieldIndex("n_checkpoints")));
  }

  @Test
  void savedModelGivesIdenticalValuesAndOverwritesOnlyItsOwn() throws Exception {
    Path dir = SharedSpark.tempDir("ml-save");
    String path = dir.resolve("model").toString();
    model.write().save(path);
    DvgsValuationModel loaded = DvgsValuationModel.load(path);
    assertEquals(model.fingerprint(), loaded.fingerprint());
    assertEquals("id", loaded.getIdCol());
    assertSameValues(values(model.transform(source), "id"), values(loaded.transform(source), "id"));

    assertThrows(ConfigValidationException.class, () -> model.write().save(path), "an existing model without overwrite");
    model.write().overwrite().save(path);
    assertSameValues(values(model.transform(source), "id"), values(DvgsValuationModel.load(path).transform(source), "id"));

    Path foreign = dir.resolve("foreign");
    Files.createDirectories(foreign);
    Files.writeString(foreign.resolve("notes.txt"), "mine");
    assertThrows(ConfigValidationException.class, () -> model.write().overwrite().save(foreign.toString()));
    assertEquals("mine", Files.readString(foreign.resolve("notes.txt")));
  }

  @Test
  void savedModelFileIsCheckedFieldByField() throws Exception {
    Path dir = SharedSpark.tempDir("ml-model-file");
    String path = dir.resolve("model").toString();
    model.write().save(path);
    Path json = dir.resolve("model").resolve("model.json");
    String saved = Files.readString(json);
    // Hand edits below: the local file system's checksum of the saved file would refuse them.
    Files.deleteIfExists(dir.resolve("model").resolve(".model.json.crc"));
    // The saved layout: the field names readers of earlier saves rely on, in their order.
    List<String> keys = List.of("\"format\"", "\"network\"", "\"width\"", "\"classes\"", "\"fingerprint\"",
        "\"snapshots_per_restart\"", "\"snapshots\"", "\"scaler\"", "\"shift_bits\"", "\"scale_bits\"", "\"training\"",
        "\"first_loss\"", "\"timings\"", "\"config\"");
    int at = -1;
    for (String k : keys) {
      int i = saved.indexOf(k, at + 1);
      assertTrue(i > at, k + " in order in " + saved);
      at = i;
    }

    Files.writeString(json, saved.replaceFirst("\"width\" : [0-9]+,", ""));
    InputException missing = assertThrows(InputException.class, () -> DvgsValuationModel.load(path));
    assertTrue(missing.getMessage().contains("model.json") && missing.getMessage().contains("width is missing"), missing.getMessage());

    Files.writeString(json, saved.replaceFirst("\"snapshots_per_restart\" : [0-9]+", "\"snapshots_per_restart\" : \"many\""));
    InputException malformed = assertThrows(InputException.class, () -> DvgsValuationModel.load(path));
    assertTrue(malformed.getMessage().contains("snapshots_per_restart"), malformed.getMessage());

    Files.writeString(json, saved);
    assertSameValues(values(model.transform(source), "id"), values(DvgsValuationModel.load(path).transform(source), "id"));
  }

  /** The source with the features as eight numeric columns, as a user's table would have them. */
  static Dataset<Row> columns(Dataset<Row> df) {
    List<org.apache.spark.sql.Column> cols = new ArrayList<>(List.of(df.col("id"), df.col("label"), df.col("corrupted")));
    for (int j = 0; j < 8; j++) {
      cols.add(df.col("features").getItem(j).cast("double").as("f" + j));
    }
    return df.select(cols.toArray(new org.apache.spark.sql.Column[0]));
  }

  @Test
  void runsInAPipelineAfterVectorAssembler() throws Exception {
    String[] inputs = new String[8];
    for (int j = 0; j < 8; j++) {
      inputs[j] = "f" + j;
    }
    VectorAssembler assembler = new VectorAssembler().setInputCols(inputs).setOutputCol("vec");
    DvgsValuation valuation = small(new DvgsValuation()).setFeaturesCol("vec").setIdCol("id");
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {assembler, valuation});
    PipelineModel fitted = pipeline.fit(columns(target));
    Dataset<Row> valued = fitted.transform(columns(source));
    assertTrue(auroc(valued) >= 0.85, "AUROC in a pipeline " + auroc(valued));
    // The assembled vector holds the same values as the array column: the same training and values.
    assertSameValues(values(model.transform(source), "id"), values(valued, "id"));

    String path = SharedSpark.tempDir("ml-pipeline").resolve("pipeline").toString();
    fitted.write().save(path);
    assertSameValues(values(valued, "id"), values(PipelineModel.load(path).transform(columns(source)), "id"));
  }

  static final StructType BAD_SCHEMA = DataTypes.createStructType(List.of(
      DataTypes.createStructField("id", DataTypes.StringType, false),
      DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.FloatType, true), true),
      DataTypes.createStructField("label", DataTypes.IntegerType, true)));

  /** Twenty good source rows and three bad ones: a NaN feature, seven features, no label. */
  static Dataset<Row> withBadRows() {
    List<Row> rows = new ArrayList<>();
    for (Row r : SyntheticData.classification(21, "s", 400, 3, 8, 1.2, 0.2).subList(0, 20)) {
      rows.add(RowFactory.create(r.get(0), r.get(1), r.get(2)));
    }
    Float[] nan = ((Float[]) rows.get(0).get(1)).clone();
    nan[3] = Float.NaN;
    rows.add(RowFactory.create("bad-nan", nan, 1));
    rows.add(RowFactory.create("bad-width", java.util.Arrays.copyOf((Float[]) rows.get(1).get(1), 7), 1));
    rows.add(RowFactory.create("bad-label", rows.get(2).get(1), null));
    return spark.createDataFrame(rows, BAD_SCHEMA).repartition(2);
  }

  @Test
  void handleInvalidErrorSkipKeep() {
    Dataset<Row> bad = withBadRows();
    DvgsValuationModel m = model.copy(new org.apache.spark.ml.param.ParamMap());

    Exception e = assertThrows(Exception.class, () -> m.setHandleInvalid("error").transform(bad).collect());
    String msg = message(e);
    assertTrue(msg.contains("sample bad-") && msg.contains("handleInvalid = error"), msg);

    Dataset<Row> skipped = m.setHandleInvalid("skip").transform(bad);
    List<Row> kept = skipped.collectAsList();
    assertEquals(20, kept.size());
    for (Row r : kept) {
      assertTrue(!r.getString(0).startsWith("bad-"), r.getString(0));
    }
    DvgsValuationSummary.TransformCounts c = m.summary().lastTransform();
    assertEquals("skip", c.handleInvalid());
    assertEquals(20, c.rowsValued());
    assertEquals(3, c.rowsRejected());
    assertEquals(Map.of("non-finite or missing feature", 1L, "feature length", 1L, "missing label", 1L), c.rejectedByReason());

    Dataset<Row> keptAll = m.setHandleInvalid("keep").transform(bad);
    Map<String, Row> byId = new HashMap<>();
    for (Row r : keptAll.collectAsList()) {
      byId.put(r.getString(0), r);
    }
    assertEquals(23, byId.size());
    int value = keptAll.schema().fieldIndex("value");
    int reason = keptAll.schema().fieldIndex("reject_reason");
    assertTrue(byId.get("bad-nan").isNullAt(value));
    assertTrue(byId.get("bad-nan").getString(reason).startsWith("non-finite or missing feature: features[3]"), byId.get("bad-nan").getString(reason));
    assertTrue(byId.get("bad-width").getString(reason).startsWith("feature length: 7 features, expected 8"));
    assertTrue(byId.get("bad-label").getString(reason).startsWith("missing label"));
    Map<String, double[]> good = values(model.transform(source), "id");
    for (Row r : byId.values()) {
      if (!r.getString(0).startsWith("bad-")) {
        assertNull(r.get(reason));
        assertEquals(good.get(r.getString(0))[0], r.getDouble(value), "a good row's value does not depend on the bad rows beside it");
      }
    }
  }

  /**
   * Scoring in blocks of snapshots, as the command scores: a 1 MiB budget holds one snapshot of this network
   * (8 -> 256 -> 256 -> 3, about 69k parameters and as many gradient entries, 0.55 MB), so its 8 snapshots take 8
   * blocks, 7 of them jobs of their own before the lazy last pass, against one lazy pass with the default budget.
   * Values are equal bit for bit: every snapshot is scored on its own and the similarities are folded into each row's
   * statistics in snapshot order either way; blocks only cut that sequence. Bad rows are kept, so chunks hold
   * invalid rows between valid ones in every block.
   */
  @Test
  void severalSnapshotBlocksGiveTheValuesOfOne() {
    DvgsValuationModel wide = small(new DvgsValuation()).setHidden(new int[] {256, 256}).setEpochs(1).setIdCol("id").fit(target);
    assertEquals(8, wide.summary().snapshots());
    Dataset<Row> bad = withBadRows();
    org.apache.spark.SparkStatusTracker tracker = spark.sparkContext().statusTracker();
    int before = tracker.getJobIdsForGroup("dvgs-scoring").length;
    Dataset<Row> oneBlock = wide.copy(new org.apache.spark.ml.param.ParamMap()).setHandleInvalid("keep").setBlockMemoryMb(1024).transform(bad);
    assertEquals(before, tracker.getJobIdsForGroup("dvgs-scoring").length, "one block: transform runs no scoring job");
    Map<String, double[]> expected = values(oneBlock.filter("reject_reason is null"), "id");
    DvgsValuationModel blocked = wide.copy(new org.apache.spark.ml.param.ParamMap()).setHandleInvalid("keep").setBlockMemoryMb(1);
    Dataset<Row> manyBlocks = blocked.transform(bad);
    assertEquals(before + 7, tracker.getJobIdsForGroup("dvgs-scoring").length, "8 blocks: a job for each block but the last");
    assertEquals(23, manyBlocks.count());
    assertEquals(20, blocked.summary().lastTransform().rowsValued());
    assertEquals(3, blocked.summary().lastTransform().rowsRejected());
    Map<String, double[]> actual = values(manyBlocks.filter("reject_reason is null"), "id");
    assertEquals(20, actual.size());
    assertSameValues(expected, actual);
    for (double[] v : actual.values()) {
      assertEquals(8, v[2]);
    }
    assertSameValues(values(wide.copy(new org.apache.spark.ml.param.ParamMap()).setBlockMemoryMb(1).transform(source), "id"),
        values(wide.transform(source), "id"));
  }

  @Test
  void transformSchemaNamesMissingAndWrongTypedColumns() {
    StructType noFeatures = DataTypes.createStructType(List.of(
        DataTypes.createStructField("id", DataTypes.StringType, false),
        DataTypes.createStructField("label", DataTypes.IntegerType, false)));
    InputException missing = assertThrows(InputException.class, () -> model.transformSchema(noFeatures));
    assertTrue(missing.getMessage().contains("column 'features'") && missing.getMessage().contains("not found"), missing.getMessage());

    StructType stringFeatures = DataTypes.createStructType(List.of(
        DataTypes.createStructField("id", DataTypes.StringType, false),
        DataTypes.createStructField("features", DataTypes.StringType, false),
        DataTypes.createStructField("label", DataTypes.IntegerType, false)));
    InputException wrong = assertThrows(InputException.class, () -> model.transformSchema(stringFeatures));
    assertTrue(wrong.getMessage().contains("'features' has type string"), wrong.getMessage());

    StructType noLabel = DataTypes.createStructType(List.of(
        DataTypes.createStructField("id", DataTypes.StringType, false),
        DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.DoubleType), false)));
    InputException label = assertThrows(InputException.class, () -> model.transformSchema(noLabel));
    assertTrue(label.getMessage().contains("column 'label' (label-column) not found"), label.getMessage());

    StructType ok = model.transformSchema(source.schema());
    assertEquals(List.of("id", "features", "label", "corrupted", "value", "value_std", "n_checkpoints"), List.of(ok.fieldNames()));
    assertThrows(InputException.class, () -> model.transformSchema(ok), "output columns exist already");
  }

  @Test
  void settersAndConfigAreValidatedAsTheCommandLineValidates() {
    DvgsValuation v = new DvgsValuation();
    assertEquals(DvgsConfig.fromUser(ConfigFactory.empty()).training().epochs(), v.getEpochs(), "defaults from reference.conf");
    ConfigValidationException unknown = assertThrows(ConfigValidationException.class,
        () -> v.setConfig(ConfigFactory.parseString("dvgs.training.epoks = 3")));
    assertTrue(unknown.getMessage().contains("dvgs.training.epoks"), unknown.getMessage());
    assertThrows(ConfigValidationException.class, () -> v.setEpochs(0));
    assertEquals(DvgsConfig.fromUser(ConfigFactory.empty()).training().epochs(), v.getEpochs(), "a refused value leaves the old one");
    v.setConfig(ConfigFactory.parseString("dvgs { training.epochs = 2, scoring.similarity = dot, model.hidden = [4] }"));
    assertEquals(2, v.getEpochs());
    assertEquals("dot", v.getSimilarity());
    assertArrayEquals(new int[] {4}, v.getHidden());
  }

  /** The command's settings as one config, for setConfig. */
  static Config overrides(List<String> o) {
    Config c = ConfigFactory.empty();
    for (String s : o) {
      c = DvgsConfig.parseOverride(s).withFallback(c);
    }
    return c;
  }

  @Test
  void valueCommandAndApiGiveTheSameTable() {
    Path dir = SharedSpark.tempDir("ml-vs-cli");
    String out = dir.resolve("cli").toString();
    List<String> o = SmallValuation.overrides(spark, 600, out);
    ValuationJob.Outcome cli = ValuationJob.run(spark, ValuationRequest.of(TestConfigs.of(o.toArray(new String[0]))));

    Dataset<Row> targetDf = spark.read().parquet(SmallValuation.target(spark));
    Dataset<Row> sourceDf = spark.read().parquet(SmallValuation.source(spark, 600));
    // The command's checkpoints: the API computes the same fingerprint and reuses every restart.
    DvgsValuation api = new DvgsValuation().setConfig(overrides(o)).setCheckpointDir(out + "/checkpoints");
    assertEquals("id", api.getIdCol());
    DvgsValuationModel m = api.fitWithSource(targetDf, sourceDf);
    assertEquals(cli.training().fingerprint(), m.fingerprint());
    for (DvgsValuationSummary.Restart r : m.summary().training()) {
      assertTrue(r.reused(), "restart " + r.restart() + " reused");
    }
    Map<String, double[]> fromCli = SmallValuation.table(cli.values());
    Map<String, double[]> fromApi = values(m.transform(sourceDf), "id");
    assertEquals(cli.valued(), fromApi.size());
    assertSameValues(fromCli, fromApi);

    // Trained afresh by the API (no shared checkpoints), the values are still the command's.
    DvgsValuationModel fresh = new DvgsValuation().setConfig(overrides(o)).setCheckpointDir("").fitWithSource(targetDf, sourceDf);
    assertTrue(!fresh.summary().training().get(0).reused());
    assertSameValues(fromCli, values(fresh.transform(sourceDf), "id"));

    // Without an id column both number the rows the same way.
    List<String> noIds = new ArrayList<>(o);
    noIds.add("input.source.id-column=\"\"");
    noIds.add("output.path=" + dir.resolve("cli-no-ids"));
    noIds.add("training.checkpoint-dir=" + out + "/checkpoints");
    ValuationJob.Outcome cliNoIds = ValuationJob.run(spark, ValuationRequest.of(TestConfigs.of(noIds.toArray(new String[0]))));
    Dataset<Row> apiNoIds = m.copy(new org.apache.spark.ml.param.ParamMap()).setIdCol("").transform(sourceDf);
    assertNotNull(apiNoIds.schema().apply("sample_id"));
    assertSameValues(SmallValuation.table(cliNoIds.values()), values(apiNoIds, "sample_id"));
  }

  /**
   * The checkpoint aggregation options give the command's table through the API too, with the snapshots split over
   * several blocks (the last one folded by the lazy pass, with its weights and moments); a rank combination over the
   * whole table is refused rather than silently left out.
   */
  @Test
  void aggregationOptionsGiveTheCommandsTableAndRankCombinationIsRefused() {
    Path dir = SharedSpark.tempDir("ml-vs-cli-aggregation");
    String out = dir.resolve("cli").toString();
    List<String> o = new ArrayList<>(SmallValuation.overrides(spark, 600, out));
    o.add("aggregation.weighting=loss-drop");
    o.add("aggregation.burn-in=1");
    o.add("aggregation.standardise=true");
    o.add("scoring.block-memory-mb=1");
    // Wide enough that a 1 MiB budget holds one snapshot: one block per snapshot.
    o.add("model.hidden=[256,256]");
    ValuationJob.Outcome cli = ValuationJob.run(spark, ValuationRequest.of(TestConfigs.of(o.toArray(new String[0]))));
    assertTrue(cli.manifest().scoring().blocks() > 1, "several blocks: " + cli.manifest().scoring().blocks());

    Dataset<Row> targetDf = spark.read().parquet(SmallValuation.target(spark));
    Dataset<Row> sourceDf = spark.read().parquet(SmallValuation.source(spark, 600));
    DvgsValuationModel m = new DvgsValuation().setConfig(overrides(o)).setCheckpointDir(out + "/checkpoints").fitWithSource(targetDf, sourceDf);
    Map<String, double[]> fromApi = values(m.setBlockMemoryMb(1).transform(sourceDf), "id");
    assertEquals(cli.valued(), fromApi.size());
    assertSameValues(SmallValuation.table(cli.values()), fromApi);

    ConfigValidationException e = assertThrows(ConfigValidationException.class,
        () -> new DvgsValuation().setConfig(ConfigFactory.parseString("dvgs.aggregation.combine = rank-loss")));
    assertTrue(e.getMessage().contains("dvgs.aggregation.combine"), e.getMessage());
  }

  @Test
  void fitNeedsTheSourceWhenTheScalerIsFittedOnIt() {
    DvgsValuation v = small(new DvgsValuation()).setConfig(ConfigFactory.parseString("dvgs.input.scaling.method = z-score"));
    ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> v.fit(target));
    assertTrue(e.getMessage().contains("fit-on"), e.getMessage());
  }

  static List<StructField> fields(StructType t) {
    return List.of(t.fields());
  }
}
