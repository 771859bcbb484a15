package org.dvgs.config;

import java.util.List;

/**
 * The {@code ingest} command: an L1000 matrix (GCTX or GCT) to the canonical source table.
 *
 * @param input the GCTX or GCT file
 * @param format file format ({@code auto}: by extension)
 * @param genesIdsFile gene ids to keep, one per line (e.g. lm_epsilon_n978.grp), or ""
 * @param genesField gene metadata field selecting genes (e.g. pr_is_lmark, is_lm, feature_space), or ""
 * @param genesValues values of {@code genesField} that keep a gene (case-insensitive)
 * @param genesInfoFile tab-separated gene-info table holding {@code genesField}, or "" for the file's own metadata
 * @param genesInfoIdColumn the gene-info column matching the file's gene ids
 * @param level4 level 4 (replicate) GCTX file for the APC column, or ""
 * @param replicateField sample metadata field listing each signature's replicate ids ('|'-separated)
 * @param blockRows samples per executor read (one HDF5 hyperslab)
 */
public record IngestConfig(
    String input,
    IngestFormat format,
    String genesIdsFile,
    String genesField,
    List<String> genesValues,
    String genesInfoFile,
    String genesInfoIdColumn,
    String level4,
    String replicateField,
    int blockRows) {

  /** File formats the ingest reads. */
  public enum IngestFormat {
    AUTO, GCTX, GCT
  }

  static IngestConfig from(Keys k) {
    Keys g = k.section("genes");
    IngestConfig c = new IngestConfig(
        k.string("input").trim(),
        k.enumValue("format", IngestFormat.class),
        g.string("ids-file").trim(),
        g.string("field").trim(),
        g.strings("values"),
        g.string("info-file").trim(),
        g.string("info-id-column").trim(),
        k.string("level4").trim(),
        k.string("replicate-field").trim(),
        k.positiveInt("block-rows"));
    if (!c.genesIdsFile.isEmpty() && !c.genesField.isEmpty()) {
      throw new ConfigValidationException(g.full("ids-file") + " and " + g.full("field") + " are both set; set one of them");
    }
    if (!c.genesField.isEmpty() && c.genesValues.isEmpty()) {
      throw new ConfigValidationException(g.full("values") + " is empty; list the values of " + g.full("field") + " that keep a gene");
    }
    if (!c.genesInfoFile.isEmpty() && c.genesField.isEmpty()) {
      throw new ConfigValidationException(g.full("info-file") + " is set but " + g.full("field") + " is empty");
    }
    if (!c.genesInfoFile.isEmpty() && c.genesInfoIdColumn.isEmpty()) {
      throw new ConfigValidationException(g.full("info-id-column") + " is empty");
    }
    if (!c.level4.isEmpty() && c.replicateField.isEmpty()) {
      throw new ConfigValidationException(k.full("replicate-field") + " is empty but " + k.full("level4") + " is set");
    }
    return c;
  }

  /** The format to read: the configured one, or by extension. */
  public IngestFormat resolvedFormat() {
    if (format != IngestFormat.AUTO) {
      return format;
    }
    String lower = input.toLowerCase(java.util.Locale.ROOT);
    if (lower.endsWith(".gctx") || lower.endsWith(".h5") || lower.endsWith(".hdf5")) {
      return IngestFormat.GCTX;
    }
    if (lower.endsWith(".gct")) {
      return IngestFormat.GCT;
    }
    throw new ConfigValidationException(
        "dvgs.ingest.input " + input + ": cannot tell the format from the extension; set dvgs.ingest.format = gctx or gct");
  }

  /** Checks that an input is given. */
  public void requireInput() {
    if (input.isEmpty()) {
      throw new ConfigValidationException("dvgs.ingest.input is empty: pass --input FILE.gctx|FILE.gct");
    }
  }
}
