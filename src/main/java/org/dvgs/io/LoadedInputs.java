package org.dvgs.io;

import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.dvgs.io.DenseRows;

/**
 * Inputs ready for training and scoring.
 *
 * @param target scaled target rows, on the driver
 * @param source valid, scaled source rows (not yet persisted)
 * @param rejects source rows that cannot be valued, with reasons
 * @param width feature width
 * @param numClasses classes (classifier), 0 otherwise
 * @param scaler the fitted scaler
 * @param counts row counts for the manifest: source_read, source_rejected, source_valid, target_read,
 *     target_used, and rejected_by_reason
 */
public record LoadedInputs(
    DenseRows target,
    JavaRDD<CanonicalRow> source,
    JavaRDD<CanonicalRow> rejects,
    int width,
    int numClasses,
    Scaler scaler,
    Map<String, Object> counts) {}
