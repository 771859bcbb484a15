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
    return t;
  }

  /** True when a path is configured. */
  public boolean isSet() {
    return !path.isEmpty();
  }

}
