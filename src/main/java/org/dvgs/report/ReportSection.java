package org.dvgs.report;

/**
 * One part of a report: reads what it needs from the results folder and appends a section to the page. A section
 * whose data the folder does not have still writes its heading, with {@link HtmlPage#absent} saying why, so a
 * reader sees what was left out.
 *
 * <p>{@link EvaluationReport#standardSections()} lists the built-in ones; pass a longer list to
 * {@link EvaluationReport#write(org.apache.spark.sql.SparkSession, String, String, java.util.List)} to add more.
 */
@FunctionalInterface
public interface ReportSection {
  /**
   * Appends this section to {@code page}.
   *
   * @param page the page being built
   * @param folder the opened, checked results folder
   */
  void addTo(HtmlPage page, ResultsFolder folder);
}
