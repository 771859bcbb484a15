package org.dvgs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.dvgs.config.DvgsConfig;
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.pipeline.EvaluateRun;
import org.dvgs.report.Charts;
import org.dvgs.report.EvaluationReport;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The report of a real evaluate run: every section, decodable plots, notes for absent data, clear errors. */
class ReportTest {
  static Path dir;
  static String results;

  @BeforeAll
  static void evaluate() {
    SparkSession spark = SharedSpark.get();
    dir = SharedSpark.tempDir("report");
    String target = SyntheticData.write(spark, SyntheticData.classification(2, "t", 200, 2, 5, 1.0, 0.0), dir.resolve("t").toString(), 1);
    String source = SyntheticData.write(spark, SyntheticData.classification(2, "s", 900, 2, 5, 1.0, 0.0), dir.resolve("s").toString(), 2);
    results = dir.resolve("eval").toString();
    DvgsConfig cfg = TestConfigs.of(
        "input.source.path=\"" + source + "\"", "input.target.path=\"" + target + "\"",
        "input.source.features.column=features", "input.target.features.column=features",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=label", "input.target.label-column=label",
        "model.hidden=[8]", "training.batch-size=50", "training.epochs=3", "training.learning-rate=0.01",
        "evaluation.seeds=[1, 2]", "evaluation.source-sample-size=400", "evaluation.label-flip-fraction=0.2",
        "evaluation.feature-noise.sigma-max=1.0", "evaluation.feature-noise.fraction=0.3",
        "evaluation.metrics=[auroc, spearman, discovery, kmeans-f1, retrain]",
        "evaluation.test.mode=source-remainder", "evaluation.test.size=300",
        "evaluation.retrain.model=logistic-regression", "evaluation.retrain.grid=[0.2, 0.4]",
        "output.path=\"" + results + "\"");
    EvaluateRun.run(spark, cfg);
  }

  static List<BufferedImage> images(String html) throws Exception {
    List<BufferedImage> out = new ArrayList<>();
    Matcher m = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
    while (m.find()) {
      out.add(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1)))));
    }
    return out;
  }

  @Test
  void everySectionAndPlot() throws Exception {
    String html = dir.resolve("report.html").toString();
    EvaluationReport.Written w = EvaluationReport.write(SharedSpark.get(), results, html);
    String page = Files.readString(Path.of(html), StandardCharsets.UTF_8);
    for (String s : List.of("Summary", "Value distributions", "ROC curve", "Corrupted-sample discovery", "Filter and retrain",
        "Noise rate and value", "Run times", "Configuration")) {
      assertTrue(page.contains(">" + s + "</h2>"), s);
    }
    for (String metric : List.of("auroc", "spearman", "kmeans_f1", "retrain_all", "retrain_lowest_q0.2", "retrain_highest_q0.4")) {
      assertTrue(page.contains("<td>" + metric + "</td>"), metric);
    }
    List<BufferedImage> imgs = images(page);
    assertEquals(5, imgs.size(), "histogram, ROC, discovery, retrain, scatter");
    assertEquals(5, w.plots());
    assertTrue(w.absent().isEmpty(), w.absent().toString());
    for (BufferedImage i : imgs) {
      assertEquals(Charts.WIDTH, i.getWidth());
      assertEquals(Charts.HEIGHT, i.getHeight());
    }
    assertTrue(page.contains("data-plots-expected=\"5\""));
    assertTrue(!page.contains("src=\"http"), "self-contained");
    assertTrue(page.contains("&quot;evaluation&quot;"), "the configuration is embedded");
  }

  @Test
  void absentDataGivesANoteInsteadOfAPlot() throws Exception {
    // A copy of the results whose curves table holds no curves: ROC, discovery and retrain plots become notes.
    SparkSession spark = SharedSpark.get();
    Path copy = dir.resolve("no-curves");
    Files.createDirectories(copy);
    Files.copy(Path.of(results, "manifest.json"), copy.resolve("manifest.json"));
    spark.read().parquet(results + "/results").write().parquet(copy.resolve("results").toString());
    spark.read().parquet(results + "/curves").limit(0).write().parquet(copy.resolve("curves").toString());
    EvaluationReport.Written w = EvaluationReport.write(spark, copy.toString(), copy.resolve("r.html").toString());
    String page = Files.readString(copy.resolve("r.html"));
    assertEquals(List.of("ROC curve", "discovery curve", "filter-and-retrain curves"), w.absent());
    assertEquals(2, images(page).size());
    assertTrue(page.contains("data-absent=\"ROC curve\""));
    assertTrue(page.contains("discovery is not in evaluation.metrics"), "why the curves are absent");
  }

  static String runMain(String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertEquals(2, status, err.toString());
    return err.toString();
  }

  @Test
  void badInputsNameThePath() throws Exception {
    String missing = dir.resolve("nowhere").toString();
    assertTrue(runMain("report", "--input", missing, "--output", dir.resolve("x.html").toString()).contains("results folder " + missing + " does not exist"));
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertTrue(runMain("report", "--input", empty.toString(), "--output", dir.resolve("x.html").toString()).contains(empty + "/manifest.json is missing"));
    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.writeString(broken.resolve("manifest.json"), "{ not json");
    assertTrue(runMain("report", "--input", broken.toString(), "--output", dir.resolve("x.html").toString()).contains("is not a JSON object"));
    Path noResults = Files.createDirectories(dir.resolve("no-results"));
    Files.copy(Path.of(results, "manifest.json"), noResults.resolve("manifest.json"));
    assertTrue(runMain("report", "--input", noResults.toString(), "--output", dir.resolve("x.html").toString()).contains(noResults + "/results"));
    assertTrue(runMain("report", "--input", results).contains("report needs --input RESULTS_DIR"));
  }
}
