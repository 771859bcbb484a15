package org.dvgs.config;

/**
 * Where results go.
 *
 * @param path output directory
 * @param overwrite replace an existing output directory
 * @param writeRejects write the rejects table
 * @param table Spark catalog table to register the value table's partition in ("" = none)
 */
public record OutputConfig(String path, boolean overwrite, boolean writeRejects, String table) {
  private static final java.util.regex.Pattern TABLE_NAME =
      java.util.regex.Pattern.compile("([A-Za-z_][A-Za-z0-9_]*\\.)?[A-Za-z_][A-Za-z0-9_]*");

  static OutputConfig from(Keys k) {
    String table = k.string("table").trim();
    if (!table.isEmpty() && !TABLE_NAME.matcher(table).matches()) {
      throw new ConfigValidationException(
          k.full("table") + " = \"" + table + "\" is not a table name ([database.]name of letters, digits and _)");
    }
    return new OutputConfig(k.string("path").trim(), k.bool("overwrite"), k.bool("write-rejects"), table);
  }

  public void requirePath() {
    if (path.isEmpty()) {
      throw new ConfigValidationException("dvgs.output.path is empty: pass --output DIR");
    }
  }
}
