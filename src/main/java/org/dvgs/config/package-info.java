/**
 * Typed configuration: one immutable record per section of {@code dvgs.*} ({@link org.dvgs.config.DvgsConfig} and
 * its parts), the enums their keys take, {@link org.dvgs.config.Keys} (every key spelled once) and
 * {@link org.dvgs.config.ConfigValidationException}, the error for a bad key or value (exit status 2). Defaults live
 * in {@code reference.conf}, not here.
 *
 * <p>Kept free of Spark and DJL so that a configuration can be read and checked without starting either.
 *
 * <p>May import:
 */
package org.dvgs.config;
