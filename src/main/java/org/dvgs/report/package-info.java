/**
 * The {@code report} command's HTML pages: {@link org.dvgs.report.ResultsFolder} opens a results folder by its
 * manifest, {@link org.dvgs.report.EvaluationReport} and {@link org.dvgs.report.UniquenessReport} build the pages
 * from {@link org.dvgs.report.ReportSection}s, {@link org.dvgs.report.MethodComparison} and
 * {@link org.dvgs.report.Charts}, written by {@link org.dvgs.report.HtmlPage}.
 *
 * <p>Reads what runs wrote (through {@code org.dvgs.output}); never imports the commands that wrote it.
 *
 * <p>May import: {@code org.dvgs.config}, {@code org.dvgs.core}, {@code org.dvgs.io}, {@code org.dvgs.output}.
 */
package org.dvgs.report;
