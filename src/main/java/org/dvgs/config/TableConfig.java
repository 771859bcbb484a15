package org.dvgs.config;

import java.util.List;
import java.util.Map;

/**
 * One input table: where it is and which columns hold the id, the features and the label.
 *
 * @param path local path or Hadoop file system URI; empty when the table is not used
 * @param format file format
 * @param options extra reader options
 * @param idColumn sample id column, empty for generated ids
 * @param featureColumn one array or ML vector column holding the features, or empty
 * @param featureColumns list of numeric feature columns, or empty
 * @param excludeColumns columns left out when features are "all remaining columns"
 * @param labelColumn label column, empty for none
 * @param labelAbove when not null, the label becomes 1 if the raw value is above this threshold, else 0 (for
 *     example a count target turned into "any versus none")
 */
public record TableConfig(
    String path,
    TableFormat format,
    Map<String, String> options,
    String idColumn,
    String featureColumn,
    List<String> featureColumns,
    List<String> excludeColumns,
    String labelColumn,
    Double labelAbove) {

  static TableConfig from(Keys k) {
    Keys f = k.section("features");
    TableConfig t =
        new TableConfig(
            k.string("path").trim(),
            k.enumValue("format", TableFormat.class),
            k.stringMap("options"),
            k.string("id-column").trim(),
            f.string("column").trim(),
            f.strings("columns"),
            f.strings("exclude"),
            k.string("label-column").trim(),
            k.section("label-binarize").bool("enabled") ? k.section("label-binarize").number("above") : null);
    if (!t.featureColumn.isEmpty() && !t.featureColumns.isEmpty()) {
      throw new ConfigValidationException(
          f.full("column") + " and " + f.full("columns") + " are both set; set one of them");
    }
    checkReaderOptions(k, t.options);
    return t;
  }

  /**
   * Refuses reader options that would lose rows without a trace or undo the row checks: CSV {@code mode} other
   * than PERMISSIVE (the default: malformed lines become rejects with a reason) or FAILFAST (the first malformed
   * line stops the run), the corrupt-record column dvgs uses itself, and {@code enforceSchema = false} (dvgs
   * compares every file's header with the first file's itself). Spark's option keys ignore case, so these do too.
   */
  private static void checkReaderOptions(Keys k, Map<String, String> options) {
    for (Map.Entry<String, String> e : options.entrySet()) {
      String key = e.getKey().toLowerCase(java.util.Locale.ROOT);
      String value = e.getValue().trim();
      String full = k.full("options") + "." + e.getKey();
      switch (key) {
        case "mode" -> {
          if (value.equalsIgnoreCase("DROPMALFORMED")) {
            throw new ConfigValidationException(
                full + " = " + value + " would drop malformed CSV lines without a trace; leave it unset (each malformed line is"
                    + " rejected with its file and row) or set FAILFAST (the first one stops the run)");
          }
          if (!value.equalsIgnoreCase("PERMISSIVE") && !value.equalsIgnoreCase("FAILFAST")) {
            throw new ConfigValidationException(full + " = " + value + " is not a CSV mode dvgs supports; use PERMISSIVE (the default) or FAILFAST");
          }
        }
        case "columnnameofcorruptrecord" -> throw new ConfigValidationException(
            full + " is set by dvgs itself (malformed CSV lines become rejects with a reason); remove it");
        case "enforceschema" -> {
          if (!value.equalsIgnoreCase("true")) {
            throw new ConfigValidationException(
                full + " = " + value + " is not supported; dvgs checks every CSV file's header against the first file's itself");
          }
        }
        default -> { }
      }
    }
  }

  /** True when a path is configured. */
  public boolean isSet() {
    return !path.isEmpty();
  }

}
