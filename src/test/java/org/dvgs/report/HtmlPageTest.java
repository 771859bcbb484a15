package org.dvgs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The page builder on its own: escaping, anchors, counts and the absent-plot record. */
class HtmlPageTest {
  @Test
  void textIsEscapedEverywhere() {
    String evil = "<script>alert(\"x\")</script> & more";
    HtmlPage p = new HtmlPage(evil, evil).section(evil).paragraph(evil).note(evil).details(evil, evil)
        .table(List.of(evil), List.of(List.of(evil))).absent(evil, evil);
    String html = new String(p.render(), StandardCharsets.UTF_8);
    assertFalse(html.contains("<script>alert"), html);
    assertTrue(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more"));
    // The page's own script is the only one.
    assertEquals(1, html.split("<script>", -1).length - 1);
  }

  @Test
  void anchorsAreUniqueAndCountsAreRecorded() {
    byte[] png = Charts.lines("t", "x", "y", List.of(new Charts.Series("s", new double[] {0, 1}, new double[] {0, 1}, Charts.CLEAN)), true);
    HtmlPage p = new HtmlPage("T", null).section("ROC curve").image(png, "one").section("ROC curve").image(png, "two")
        .section("Noise").absent("noise scatter", "why").table(List.of("a", "b"), List.of(List.of("seed", "0.7626 ± 0.0021")));
    String html = new String(p.render(), StandardCharsets.UTF_8);
    assertTrue(html.contains("<h2 id=\"roc-curve\">") && html.contains("<h2 id=\"roc-curve-2\">"));
    assertTrue(html.contains("href=\"#roc-curve-2\""));
    assertEquals(2, p.images());
    assertTrue(html.contains("data-plots-expected=\"2\""));
    assertEquals(List.of("noise scatter"), p.absentPlots());
    assertTrue(html.contains("<td>seed</td><td class=\"num\">0.7626 ± 0.0021</td>"));
  }
}
