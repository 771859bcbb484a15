/**
 * What dvgs writes about a run, as typed immutable records, and the one codec that turns them into JSON and back.
 *
 * <p>Each command's {@code manifest.json} is a record here ({@link org.dvgs.output.ValueManifest},
 * {@link org.dvgs.output.EvaluateManifest}, {@link org.dvgs.output.UniqueManifest}, {@link org.dvgs.output.IngestManifest},
 * {@link org.dvgs.output.BenchManifest}, {@link org.dvgs.output.BenchUniqueManifest}, {@link org.dvgs.output.ScaleManifest}), built of smaller records that
 * stages also return ({@link org.dvgs.output.RestartSummary}, {@link org.dvgs.output.InputCounts}). JSON names are
 * the record components' names in snake_case, derived in one place, {@link org.dvgs.output.ManifestCodec}; a
 * component that a manifest may leave out carries {@link org.dvgs.output.MayBeAbsent}, one whose value may be
 * {@code null} {@link org.dvgs.output.MayBeNull}; every other component must be present. Reading tolerates fields
 * it does not know, so manifests of later versions still read, and names a missing or malformed field by its path.
 *
 * <p>Imports Jackson and the JDK only (no Spark, Hadoop, DJL or other dvgs package): files are read and written
 * through {@link org.dvgs.output.Manifest}, which turns a malformed manifest into an input error naming the file.
 *
 * <p>May import: {@code org.dvgs.config}, {@code org.dvgs.core}.
 */
package org.dvgs.output;
