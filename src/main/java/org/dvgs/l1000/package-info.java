/**
 * The LINCS L1000 data source: its file formats ({@link org.dvgs.l1000.GctxFile}, {@link org.dvgs.l1000.GctFile},
 * read as one {@link org.dvgs.l1000.L1000Table}), the replicate-correlation filter {@link org.dvgs.l1000.Apc}, and
 * the commands on it: {@link org.dvgs.l1000.IngestRun} ({@code ingest}), {@link org.dvgs.l1000.L1000Run}
 * ({@code l1000}) and {@link org.dvgs.l1000.ScaleRun} ({@code scale}, on {@link org.dvgs.l1000.SyntheticL1000} data,
 * measured with {@link org.dvgs.l1000.HeapProbe}).
 *
 * <p>May import: {@code org.dvgs.config}, {@code org.dvgs.core}, {@code org.dvgs.evaluation}, {@code org.dvgs.io},
 * {@code org.dvgs.model}, {@code org.dvgs.output}, {@code org.dvgs.pipeline}, {@code org.dvgs.scoring},
 * {@code org.dvgs.spark}, {@code org.dvgs.training}.
 */
package org.dvgs.l1000;
