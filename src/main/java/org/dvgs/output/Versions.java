package org.dvgs.output;

/**
 * Versions of the software a run used. Each may be absent: results folders of early versions recorded some only.
 *
 * @param dvgsSpark dvgs-spark's implementation version ({@code "null"} when run from classes, not a jar)
 * @param spark Apache Spark
 * @param scala Scala library
 * @param java Java runtime
 * @param djl Deep Java Library
 * @param pytorch PyTorch native library
 */
public record Versions(
    @MayBeAbsent String dvgsSpark,
    @MayBeAbsent String spark,
    @MayBeAbsent String scala,
    @MayBeAbsent String java,
    @MayBeAbsent String djl,
    @MayBeAbsent String pytorch) {}
