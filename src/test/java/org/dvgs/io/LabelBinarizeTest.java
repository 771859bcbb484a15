package org.dvgs.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.dvgs.core.CanonicalRow;
import org.dvgs.testing.InputChecks;
import org.dvgs.testing.SharedSpark;
import org.dvgs.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/** A count target turned into two classes at a threshold (BlogFeedback's "any comments" label). */
class LabelBinarizeTest {
  @Test
  void labelsAboveTheThresholdBecomeOne() throws Exception {
    Path dir = SharedSpark.tempDir("binarize");
    StringBuilder csv = new StringBuilder("a,b,comments\n");
    int[] counts = {0, 3, 0, 1, 12, 0, 2, 0};
    for (int i = 0; i < counts.length; i++) {
      csv.append(i).append(',').append(i * 0.5).append(',').append(counts[i]).append('\n');
    }
    Path file = dir.resolve("blog.csv");
    Files.writeString(file, csv.toString());
    String[] base = {
      "input.source.path=\"" + file + "\"", "input.source.format=csv", "input.source.label-column=comments",
      "input.target.path=\"" + file + "\"", "input.target.format=csv", "input.target.label-column=comments",
      "input.source.label-binarize.enabled=true", "input.source.label-binarize.above=0",
      "input.target.label-binarize.enabled=true", "input.target.label-binarize.above=0", "training.batch-size=4"};
    InputLoader.RawInputs raw = InputChecks.read(TestConfigs.of(base));
    Map<String, Double> labels = new HashMap<>();
    for (CanonicalRow r : raw.source().collect()) {
      labels.put(r.id(), r.label());
    }
    for (int i = 0; i < counts.length; i++) {
      assertEquals(counts[i] > 0 ? 1.0 : 0.0, labels.get(String.valueOf(i)), "row " + i);
    }
    assertEquals(2, raw.numClasses());
    raw.release();
  }
}
