package org.dvgs.report;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A self-contained HTML page built top to bottom: a title, sections (listed in a table of contents), paragraphs,
 * tables, notes, collapsible text and PNG images embedded as {@code data:} URIs. The file references nothing
 * outside itself (no scripts, styles, fonts or images from elsewhere), so it can be mailed or archived as is.
 *
 * <p>Text passed to any method is plain text and is escaped. Typical use from a {@link ReportSection}:
 *
 * <pre>{@code
 * page.section("Cluster sizes")
 *     .paragraph("Rows per cluster, all seeds.")
 *     .image(Charts.scatter("Clusters", "x", "y", series), "Each row's 2-D embedding, coloured by cluster");
 * }</pre>
 *
 * <p>The page carries a small inline script that, once the page has loaded, sets on {@code <body>}:
 * {@code data-plots-total} (the number of {@code <img>} elements), {@code data-plots-rendered} (how many of them
 * decoded: {@code complete && naturalWidth > 0}) and {@code data-page-height} (the document height in CSS pixels,
 * for a full-page screenshot). {@code data-plots-expected} is written by the page itself, so a headless browser can
 * check that every plot the report drew is there and rendered ({@code submit/report-check}).
 */
public final class HtmlPage {
  /** The tag that marks a page as a dvgs report: {@code report} replaces only files that carry it (or --overwrite). */
  public static final String GENERATOR = "<meta name=\"generator\" content=\"dvgs-report\">";
  private final String title;
  private final String subtitle;
  private final StringBuilder body = new StringBuilder();
  private final List<String> toc = new ArrayList<>();
  private final List<String> absent = new ArrayList<>();
  private final java.util.Set<String> ids = new java.util.HashSet<>();
  private int images;

  /**
   * @param title page title and top heading
   * @param subtitle one line under the heading (for example what the page was built from), or null
   */
  public HtmlPage(String title, String subtitle) {
    this.title = title;
    this.subtitle = subtitle;
  }

  /**
   * Starts a section: a heading listed in the table of contents, with an anchor {@code id} derived from the
   * heading ({@code "ROC curve"} becomes {@code roc-curve}; a repeated heading gets {@code -2}, {@code -3}, ...).
   */
  public HtmlPage section(String heading) {
    String id = anchor(heading);
    for (int n = 2; ids.contains(id); n++) {
      id = anchor(heading) + "-" + n;
    }
    ids.add(id);
    toc.add("<li><a href=\"#" + id + "\">" + escape(heading) + "</a></li>");
    body.append("<h2 id=\"").append(id).append("\">").append(escape(heading)).append("</h2>\n");
    return this;
  }

  /** A smaller heading inside the current section (not in the table of contents). */
  public HtmlPage subheading(String text) {
    body.append("<h3>").append(escape(text)).append("</h3>\n");
    return this;
  }

  /** A paragraph of plain text. */
  public HtmlPage paragraph(String text) {
    body.append("<p>").append(escape(text)).append("</p>\n");
    return this;
  }

  /** A highlighted note. */
  public HtmlPage note(String text) {
    body.append("<p class=\"note\">").append(escape(text)).append("</p>\n");
    return this;
  }

  /**
   * In place of a plot whose data the results do not have: a note saying why, marked with
   * {@code data-absent="<plot>"}, and the plot's name recorded in {@link #absentPlots()}.
   */
  public HtmlPage absent(String plot, String why) {
    absent.add(plot);
    body.append("<p class=\"note absent\" data-absent=\"").append(escape(plot)).append("\">").append(escape(why)).append("</p>\n");
    return this;
  }

  /**
   * A table with a header row. Cells that look like numbers are right-aligned.
   *
   * @param header column names
   * @param rows cells, row by row (a row may be shorter than the header)
   */
  public HtmlPage table(List<String> header, List<List<String>> rows) {
    body.append("<table>\n<thead><tr>");
    for (String h : header) {
      body.append("<th>").append(escape(h)).append("</th>");
    }
    body.append("</tr></thead>\n<tbody>\n");
    for (List<String> row : rows) {
      body.append("<tr>");
      for (String c : row) {
        body.append(isNumeric(c) ? "<td class=\"num\">" : "<td>").append(escape(c)).append("</td>");
      }
      body.append("</tr>\n");
    }
    body.append("</tbody></table>\n");
    return this;
  }

  /**
   * A PNG image (for example from {@link Charts}) embedded as a {@code data:} URI, with a caption that is also
   * its alternative text.
   */
  public HtmlPage image(byte[] png, String caption) {
    images++;
    body.append("<figure><img class=\"plot\" alt=\"").append(escape(caption)).append("\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(png)).append("\"><figcaption>").append(escape(caption))
        .append("</figcaption></figure>\n");
    return this;
  }

  /** Collapsible preformatted text (for example a configuration as JSON), closed by default. */
  public HtmlPage details(String summary, String text) {
    body.append("<details><summary>").append(escape(summary)).append("</summary><pre>").append(escape(text)).append("</pre></details>\n");
    return this;
  }

  /** Images added so far. */
  public int images() {
    return images;
  }

  /** Names of the plots given to {@link #absent} so far, in order. */
  public List<String> absentPlots() {
    return List.copyOf(absent);
  }

  /** The page as UTF-8 bytes. */
  public byte[] render() {
    StringBuilder html = new StringBuilder(body.length() + 4096);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n").append(GENERATOR).append('\n')
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(escape(title)).append("</title>\n<style>\n").append(STYLE).append("</style></head>\n")
        .append("<body data-plots-expected=\"").append(images).append("\">\n<header><h1>").append(escape(title)).append("</h1>\n");
    if (subtitle != null) {
      html.append("<p class=\"subtitle\">").append(escape(subtitle)).append("</p>\n");
    }
    html.append("</header>\n<nav><ol>").append(String.join("", toc)).append("</ol></nav>\n<main>\n").append(body).append("</main>\n")
        .append("<script>\n").append(CHECK_SCRIPT).append("</script>\n</body></html>\n");
    return html.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** HTML-escapes text for element content and attribute values. */
  public static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Lower-case letters and digits of a heading, other runs of characters as one hyphen. */
  static String anchor(String heading) {
    String a = heading.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    return a.isEmpty() ? "section" : a;
  }

  private static boolean isNumeric(String s) {
    return s.matches("[-+]?(\\d[\\d,]*)?(\\.\\d+)?([eE][-+]?\\d+)?( ± [-+]?\\d*\\.?\\d+)?") && s.chars().anyMatch(Character::isDigit);
  }

  /** Counts plots after load; read back by a headless browser's --dump-dom. */
  private static final String CHECK_SCRIPT =
      """
      window.addEventListener('load', function () {
        var imgs = document.images, ok = 0;
        for (var i = 0; i < imgs.length; i++) {
          if (imgs[i].complete && imgs[i].naturalWidth > 0) { ok++; }
        }
        var b = document.body;
        b.setAttribute('data-plots-total', String(imgs.length));
        b.setAttribute('data-plots-rendered', String(ok));
        b.setAttribute('data-page-height', String(Math.ceil(document.documentElement.scrollHeight)));
      });
      """;

  private static final String STYLE =
      """
      :root{--clean:#2b6cb0;--corrupted:#dd6b20;--ink:#1a202c;--muted:#4a5568;--line:#e2e8f0}
      body{font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1000px;margin:0 auto;
        padding:1.5em 1.5em 3em;color:var(--ink);line-height:1.45;background:#fff}
      header{border-bottom:3px solid var(--clean);margin-bottom:1em}
      h1{margin:.2em 0 .1em;font-size:1.7em}.subtitle{color:var(--muted);margin:.2em 0 .8em;word-break:break-all}
      h2{margin-top:2.2em;color:var(--clean);border-bottom:1px solid var(--line);padding-bottom:.2em}
      h3{margin:1.4em 0 .4em;font-size:1.05em;color:var(--muted)}
      nav ol{columns:3;margin:.5em 0 1.5em;padding-left:1.5em}nav a{color:var(--clean);text-decoration:none}
      table{border-collapse:collapse;margin:.8em 0;font-size:.9em}
      th,td{border:1px solid var(--line);padding:.3em .7em;text-align:left;vertical-align:top}
      th{background:#edf2f7;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
      tbody tr:nth-child(even){background:#f7fafc}
      figure{margin:1em 0 1.6em}img.plot{display:block;width:100%;height:auto;border:1px solid var(--line)}
      figcaption{color:var(--muted);font-size:.88em;margin-top:.4em}
      .note{background:#fffaf0;border-left:4px solid var(--corrupted);padding:.5em 1em;color:var(--muted)}
      details{margin:.6em 0}summary{cursor:pointer;color:var(--clean);font-weight:600}
      pre{background:#f7fafc;border:1px solid var(--line);padding:1em;overflow:auto;font-size:.8em;max-height:40em}
      """;
}
