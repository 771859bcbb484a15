package org.dvgs.output;

import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} of an {@code ingest} run: the GCT or GCTX matrix read, the genes kept, the sample
 * metadata fields, the APC of each signature's replicates (with a level 4 file) and the tables written.
 *
 * @param command always {@code ingest}
 * @param input the matrix file
 * @param format gct or gctx
 * @param source what the file holds
 * @param versions software versions
 * @param rows signatures written
 * @param genes genes kept
 * @param geneSelection how the genes were chosen
 * @param geneIds the genes kept, in feature order
 * @param metadataFields sample metadata field to Spark type name
 * @param level4 the level 4 file of replicates (with APC only)
 * @param replicateField the metadata field listing a signature's replicates (with APC only)
 * @param apc APC counts (with a level 4 file only)
 * @param output the tables written
 * @param timings wall time
 * @param config the resolved {@code dvgs.*} configuration, secrets redacted
 */
public record IngestManifest(
    String command,
    String input,
    String format,
    Source source,
    Versions versions,
    long rows,
    int genes,
    String geneSelection,
    List<String> geneIds,
    Map<String, String> metadataFields,
    @MayBeAbsent String level4,
    @MayBeAbsent String replicateField,
    @MayBeAbsent Apc apc,
    Output output,
    TotalTime timings,
    @MayBeAbsent Object config) {

  /** The command name the manifest carries. */
  public static final String COMMAND = "ingest";

  /**
   * What the input file holds.
   *
   * @param version the file's format version
   * @param samples samples (columns)
   * @param genes genes (rows)
   * @param level4Samples replicate samples of the level 4 file (with APC only)
   */
  public record Source(String version, long samples, long genes, @MayBeAbsent Long level4Samples) {}

  /**
   * APC of the replicates.
   *
   * @param signaturesWithApc signatures with an APC
   * @param signaturesWithoutApc signatures without (fewer than two replicates found)
   * @param replicatesFound replicates found in the level 4 file, over all signatures
   */
  public record Apc(long signaturesWithApc, long signaturesWithoutApc, long replicatesFound) {}

  /**
   * The tables written.
   *
   * @param signatures path of {@code signatures/}
   * @param genes path of {@code genes/}
   */
  public record Output(String signatures, String genes) {}
}
