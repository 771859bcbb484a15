/**
 * Reading and checking the input tables: {@link org.dvgs.io.InputLoader} turns the configured source and target
 * into {@link org.dvgs.io.LoadedInputs}; {@link org.dvgs.io.TableReader} reads CSV and Parquet,
 * {@link org.dvgs.io.ColumnPlan} resolves the id, feature and label columns, {@link org.dvgs.io.Scaler} (with
 * {@link org.dvgs.io.ExactSum} for order-independent sums) scales features, {@link org.dvgs.io.BalancedSplit} splits
 * by label, {@link org.dvgs.io.HashSelection} picks rows by a seeded hash of their id.
 * {@link org.dvgs.core.InputException} is the error for bad input (exit status 2), and
 * {@link org.dvgs.io.Printable} makes text from input files safe to print in its messages.
 *
 * <p>File formats of one data source (L1000) live in {@code org.dvgs.l1000}; what a run writes lives in
 * {@code org.dvgs.output}.
 *
 * <p>May import: {@code org.dvgs.config}, {@code org.dvgs.core}, {@code org.dvgs.output}.
 */
package org.dvgs.io;
