package org.dvgs.uniqueness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.dvgs.evaluation.AdjustedRand;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.core.InputException;
import org.dvgs.pipeline.ValuationJob;
import org.dvgs.pipeline.ValuationRequest;
import org.dvgs.output.ManifestCodec;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The unique command end to end on generated clustered data. */
class UniqueJobTest {
  static final SparkSession SPARK = SharedSpark.get();
  static final int CLASSES = 4;
  static Path dir;
  static String target;
  static String source;

  @BeforeAll
  static void data() {
    dir = SharedSpark.tempDir("unique");
    target = SyntheticData.write(SPARK, SyntheticData.classification(3, "t", 400, CLASSES, 10, 1.5, 0.0), dir.resolve("t").toString(), 1);
    source = SyntheticData.write(SPARK, SyntheticData.classification(3, "s", 800, CLASSES, 10, 1.5, 0.0), dir.resolve("s").toString(), 3);
  }

  static List<String> base(String out) {
    return new ArrayList<>(List.of(
        "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.features.column=features", "input.target.features.column=features",
        "input.source.label-column=label", "input.target.label-column=label",
        "model.hidden=[32, 16]", "model.activation=tanh",
        "training.batch-size=100", "training.epochs=20", "training.learning-rate=0.01", "training.snapshot-every=10",
        "output.path=\"" + out + "\"", "output.overwrite=true"));
  }

  static UniqueJob.Outcome run(String out, String... more) {
    List<String> o = base(out);
    o.addAll(List.of(more));
    return UniqueJob.run(SPARK, TestConfigs.of(o.toArray(new String[0])));
  }

  @Test
  void keptRowsCoverEveryClusterAndKMeansRecoversTheClusters() {
    String out = dir.resolve("out-main").toString();
    UniqueJob.Outcome o = run(out, "unique.partitions=3", "unique.write-projection=true", "unique.clusters.max=5");
    List<Row> rows = o.table().collectAsList();
    assertEquals(800, rows.size());
    Set<Integer> labelsKept = new HashSet<>();
    Set<Integer> clustersKept = new HashSet<>();
    int[] truth = new int[rows.size()];
    int[] found = new int[rows.size()];
    int kept = 0;
    int k = ((Number) ((Map<?, ?>) ManifestCodec.toMap(o.manifest()).get("projection")).get("k")).intValue();
    assertEquals(org.dvgs.config.UniqueConfig.jlDimension(800, 0.3), k);
    Map<String, Row> byId = new HashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      byId.put(r.getAs("sample_id"), r);
      truth[i] = (int) (double) r.<Double>getAs("label");
      found[i] = r.<Integer>getAs("cluster");
      assertEquals(k, r.<scala.collection.Seq<?>>getAs("projection").size());
      if (r.<Boolean>getAs("kept")) {
        kept++;
        labelsKept.add(truth[i]);
        clustersKept.add(found[i]);
      } else {
        assertTrue(r.<Double>getAs("nearest_kept_similarity") >= 0.3);
      }
      assertNotNull(r.getAs("pc1"));
    }
    for (Row r : rows) {
      String near = r.getAs("nearest_kept_id");
      if (near != null) {
        assertTrue(byId.get(near).<Boolean>getAs("kept"), "nearest kept id " + near + " is not kept");
      }
    }
    assertTrue(kept >= CLASSES && kept < 400, kept + " kept");
    assertEquals(CLASSES, labelsKept.size(), "kept rows cover every class");
    Map<?, ?> clustering = (Map<?, ?>) ManifestCodec.toMap(o.manifest()).get("clustering");
    assertEquals("silhouette", clustering.get("chosen_by"));
    int clusters = ((Number) clustering.get("clusters")).intValue();
    assertEquals(clusters, clustersKept.size(), "kept rows cover every cluster");
    double ari = AdjustedRand.of(truth, found);
    assertTrue(ari >= 0.8, "adjusted Rand index " + ari + " with " + clusters + " clusters");
    Map<?, ?> counts = (Map<?, ?>) ManifestCodec.toMap(o.manifest()).get("counts");
    assertEquals(800L, ((Number) counts.get("sampled")).longValue());
    assertEquals((long) kept, ((Number) counts.get("kept")).longValue());
    Map<?, ?> summary = (Map<?, ?>) ManifestCodec.toMap(o.manifest()).get("summary");
    assertEquals(CLASSES, ((Number) summary.get("labels_with_kept_rows")).intValue());
    assertEquals(ari, ((Number) summary.get("adjusted_rand_clusters_vs_labels")).doubleValue(), 1e-9);
    assertTrue(new java.io.File(out, "manifest.json").isFile());
  }

  @Test
  void sameConfigSameTableAndSampleSize() {
    UniqueJob.Outcome a = run(dir.resolve("out-a").toString(), "unique.sample-size=300", "unique.k=64", "unique.clusters.count=4");
    UniqueJob.Outcome b = run(dir.resolve("out-b").toString(), "unique.sample-size=300", "unique.k=64", "unique.clusters.count=4");
    List<Row> ra = a.table().drop("run_id").orderBy("sample_id").collectAsList();
    List<Row> rb = b.table().drop("run_id").orderBy("sample_id").collectAsList();
    assertEquals(300, ra.size());
    assertEquals(ra, rb);
    List<?> warnings = (List<?>) ManifestCodec.toMap(a.manifest()).get("warnings");
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).toString().contains("dvgs.unique.k = 64"), warnings.toString());
    assertEquals("config", ((Map<?, ?>) ManifestCodec.toMap(a.manifest()).get("clustering")).get("chosen_by"));
    assertEquals("trained", ((Map<?, ?>) ManifestCodec.toMap(b.manifest()).get("model")).get("source"));
  }

  @Test
  void modelFromAnEarlierValuationRunsSnapshots() {
    String valOut = dir.resolve("valuation").toString();
    List<String> o = base(valOut);
    ValuationJob.Outcome v = ValuationJob.run(SPARK, ValuationRequest.of(TestConfigs.of(o.toArray(new String[0]))));
    String snapDir = v.manifest().training().checkpointDir();
    UniqueJob.Outcome u = run(dir.resolve("out-snap").toString(), "unique.snapshot-dir=\"" + snapDir + "\"", "unique.checkpoint=1",
        "unique.clusters.enabled=false", "unique.last-layers=0");
    Map<?, ?> model = (Map<?, ?>) ManifestCodec.toMap(u.manifest()).get("model");
    assertEquals("snapshot-dir", model.get("source"));
    assertEquals(1, ((Number) model.get("snapshot_index")).intValue());
    assertEquals(10L, ((Number) model.get("iteration")).longValue());
    assertEquals(List.of(0, 1, 2), ((Map<?, ?>) ManifestCodec.toMap(u.manifest()).get("projection")).get("layers"));
    assertTrue(u.table().filter("cluster is not null").isEmpty());

    // The valuation's snapshots carry Adam's preconditioner (scoring.preconditioner = auto with Adam); a unique run
    // configured for the Euclidean metric is told which key differs rather than reading them as something else.
    assertEquals("adam", v.manifest().scoring().preconditioner());
    String e = assertThrows(InputException.class,
        () -> run(dir.resolve("out-err").toString(), "unique.snapshot-dir=\"" + snapDir + "\"", "scoring.preconditioner=none")).getMessage();
    assertTrue(e.contains("dvgs.unique.snapshot-dir") && e.contains("dvgs.scoring.preconditioner"), e);
    e = assertThrows(InputException.class,
        () -> run(dir.resolve("out-err").toString(), "unique.snapshot-dir=\"" + snapDir + "\"", "unique.restart=3")).getMessage();
    assertTrue(e.contains("dvgs.unique.snapshot-dir") && e.contains("restart-00003.snap"), e);
    e = assertThrows(InputException.class,
        () -> run(dir.resolve("out-err").toString(), "unique.snapshot-dir=\"" + snapDir + "\"", "unique.checkpoint=99")).getMessage();
    assertTrue(e.contains("dvgs.unique.checkpoint = 99"), e);
    e = assertThrows(InputException.class,
        () -> run(dir.resolve("out-err").toString(), "unique.snapshot-dir=\"" + snapDir + "\"", "model.hidden=[8]")).getMessage();
    assertTrue(e.contains("dvgs.unique.snapshot-dir") && e.contains("another network"), e);
  }
}
