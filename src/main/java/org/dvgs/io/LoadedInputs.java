package org.dvgs.io;

import org.apache.spark.api.java.JavaRDD;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.DenseRows;
import org.dvgs.output.InputCounts;

/**
 * Inputs ready for training and scoring.
 *
 * @param target scaled target rows, on the driver
 * @param source valid, scaled source rows (not yet persisted)
 * @param rejects source rows that cannot be valued, with reasons
 * @param width feature width
 * @param numClasses classes (classifier), 0 otherwise
 * @param scaler the fitted scaler
 * @param counts row counts of the inputs (with a held-out test set's when there is one)
 */
public record LoadedInputs(
    DenseRows target,
    JavaRDD<CanonicalRow> source,
    JavaRDD<CanonicalRow> rejects,
    int width,
    int numClasses,
    Scaler scaler,
    InputCounts counts) {}
