package org.dvgs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
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
import org.dvgs.evaluation.SyntheticData;
import org.dvgs.uniqueness.UniqueJob;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** The report of a real unique run: sections, cluster sizes, decodable 2-D views; notes when clustering is off. */
class UniquenessReportTest {
  static List<BufferedImage> images(String html) throws Exception {
    List<BufferedImage> out = new ArrayList<>();
    Matcher m = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
    while (m.find()) {
      out.add(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1)))));
    }
    return out;
  }

  static String run(Path dir, String name, String... more) {
    SparkSession spark = SharedSpark.get();
    String out = dir.resolve(name).toString();
    List<String> o = new ArrayList<>(List.of(
        "input.source.path=\"" + dir.resolve("s") + "\"", "input.target.path=\"" + dir.resolve("t") + "\"",
        "input.source.features.column=features", "input.target.features.column=features",
        "input.source.id-column=id", "input.target.id-column=id",
        "input.source.label-column=label", "input.target.label-column=label",
        "model.hidden=[16]", "training.batch-size=50", "training.epochs=10", "training.learning-rate=0.01",
        "unique.k=128", "unique.clusters.max=3", "output.path=\"" + out + "\""));
    o.addAll(List.of(more));
    UniqueJob.run(spark, TestConfigs.of(o.toArray(new String[0])));
    return out;
  }

  @Test
  void sectionsTablesAndPlots() throws Exception {
    SparkSession spark = SharedSpark.get();
    Path dir = SharedSpark.tempDir("unique-report");
    SyntheticData.write(spark, SyntheticData.classification(5, "t", 200, 3, 6, 1.5, 0.0), dir.resolve("t").toString(), 1);
    SyntheticData.write(spark, SyntheticData.classification(5, "s", 500, 3, 6, 1.5, 0.0), dir.resolve("s").toString(), 2);
    String out = run(dir, "u");
    String html = dir.resolve("u.html").toString();
    EvaluationReport.Written w = EvaluationReport.write(spark, out, html);
    String page = Files.readString(Path.of(html), StandardCharsets.UTF_8);
    for (String s : List.of("Uniqueness", "Cluster sizes", "Projected gradients in 2-D", "Run times", "Configuration")) {
      assertTrue(page.contains(">" + s + "</h2>"), s);
    }
    assertTrue(page.contains("<th>most common labels</th>"));
    assertTrue(page.contains("<td>rows sampled</td><td class=\"num\">500</td>"), "summary table");
    List<BufferedImage> imgs = images(page);
    assertEquals(3, imgs.size(), "silhouette, by cluster, by label");
    for (BufferedImage i : imgs) {
      assertEquals(Charts.WIDTH, i.getWidth());
    }
    assertEquals(3, w.plots());
    assertTrue(w.absent().isEmpty(), w.absent().toString());

    String off = run(dir, "u-off", "unique.clusters.enabled=false");
    EvaluationReport.Written w2 = EvaluationReport.write(spark, off, dir.resolve("off.html").toString());
    assertEquals(1, w2.plots(), "only the view by label");
    assertTrue(w2.absent().contains("cluster sizes") && w2.absent().contains("2-D view by cluster"), w2.absent().toString());
  }
}
