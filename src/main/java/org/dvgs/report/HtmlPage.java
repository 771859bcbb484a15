package org.dvgs.report;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A self-contained HTML page built section by section: headings, paragraphs, tables, notes, collapsible text and
 * PNG images embedded as {@code data:} URIs, so the file needs nothing else to display.
 *
 * <p>The page carries a small script that, once loaded, records on {@code <body>} how many images decoded
 * ({@code data-plots-rendered}) out of how many ({@code data-plots-total}), so a headless browser can check that
 * every plot rendered.
 */
public final class HtmlPage {
  private final String title;
  private final StringBuilder body = new StringBuilder();
  private final List<String> toc = new ArrayList<>();
  private int images;

  public HtmlPage(String title) {
    this.title = title;
  }

  /** Starts a section with a heading (listed in the page's table of contents). */
  public HtmlPage section(String heading) {
    String id = "s" + toc.size();
    toc.add("<li><a href=\"#" + id + "\">" + escape(heading) + "</a></li>");
    body.append("<h2 id=\"").append(id).append("\">").append(escape(heading)).append("</h2>\n");
    return this;
  }

  /** A paragraph of plain text. */
  public HtmlPage paragraph(String text) {
    body.append("<p>").append(escape(text)).append("</p>\n");
    return this;
  }

  /** A highlighted note, for example why a plot is absent. */
  public HtmlPage note(String text) {
    body.append("<p class=\"note\">").append(escape(text)).append("</p>\n");
    return this;
  }

  /** A table; the first row is the header. */
  public HtmlPage table(List<List<String>> rows) {
    body.append("<table>\n");
    for (int r = 0; r < rows.size(); r++) {
      String cell = r == 0 ? "th" : "td";
      body.append("<tr>");
      for (String c : rows.get(r)) {
        body.append('<').append(cell).append('>').append(escape(c)).append("</").append(cell).append('>');
      }
      body.append("</tr>\n");
    }
    body.append("</table>\n");
    return this;
  }

  /** A PNG image with a caption. */
  public HtmlPage image(byte[] png, String caption) {
    images++;
    body.append("<figure><img class=\"plot\" alt=\"").append(escape(caption)).append("\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(png)).append("\"><figcaption>").append(escape(caption))
        .append("</figcaption></figure>\n");
    return this;
  }

  /** Collapsible preformatted text (for example a configuration). */
  public HtmlPage details(String summary, String text) {
    body.append("<details><summary>").append(escape(summary)).append("</summary><pre>").append(escape(text)).append("</pre></details>\n");
    return this;
  }

  /** Images added so far. */
  public int images() {
    return images;
  }

  /** The page as UTF-8 bytes. */
  public byte[] render() {
    String html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title>\n"
        + "<style>\n"
        + "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n"
        + "h1{border-bottom:2px solid #2b6cb0;padding-bottom:.3em}h2{margin-top:2em;color:#2b6cb0}\n"
        + "table{border-collapse:collapse;margin:1em 0;font-size:.92em}th,td{border:1px solid #ccc;padding:.3em .7em;text-align:right}\n"
        + "th{background:#edf2f7}td:first-child,th:first-child{text-align:left}\n"
        + "figure{margin:1em 0}img.plot{max-width:100%;border:1px solid #e2e8f0}figcaption{color:#555;font-size:.9em}\n"
        + ".note{background:#fffbea;border-left:4px solid #d69e2e;padding:.5em 1em}\n"
        + "pre{background:#f7fafc;padding:1em;overflow:auto;font-size:.85em}nav ul{columns:2}\n"
        + "</style></head>\n"
        + "<body data-plots-total=\"" + images + "\">\n<h1>" + escape(title) + "</h1>\n<nav><ul>" + String.join("", toc) + "</ul></nav>\n"
        + body
        + "<script>\nwindow.addEventListener('load',function(){var imgs=document.querySelectorAll('img.plot');var ok=0;"
        + "imgs.forEach(function(i){if(i.complete&&i.naturalWidth>0){ok++;}});"
        + "document.body.setAttribute('data-plots-rendered',String(ok));});\n</script>\n"
        + "</body></html>\n";
    return html.getBytes(StandardCharsets.UTF_8);
  }

  /** Renders the page to {@code output} (local path or Hadoop URI). */
  public void save(org.apache.hadoop.conf.Configuration hadoop, String output) {
    org.apache.hadoop.fs.Path out = new org.apache.hadoop.fs.Path(output);
    try {
      org.apache.hadoop.fs.FileSystem fs = out.getFileSystem(hadoop);
      try (java.io.OutputStream os = fs.create(out, true)) {
        os.write(render());
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot write the report " + output + ": " + e.getMessage(), e);
    }
  }

  /** HTML-escapes text. */
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
}
