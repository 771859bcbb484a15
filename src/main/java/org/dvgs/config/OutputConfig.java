package org.dvgs.config;

/**
 * Where results go.
 *
 * @param path output directory
 * @param overwrite replace an existing output directory
 * @param writeRejects write the rejects table
 */
public record OutputConfig(String path, boolean overwrite, boolean writeRejects) {
  static OutputConfig from(Keys k) {
    return new OutputConfig(k.string("path").trim(), k.bool("overwrite"), k.bool("write-rejects"));
  }

  public void requirePath() {
    if (path.isEmpty()) {
      throw new ConfigValidationException("dvgs.output.path is empty: pass --output DIR");
    }
  }
}
