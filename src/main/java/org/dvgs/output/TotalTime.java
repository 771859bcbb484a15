package org.dvgs.output;

/**
 * The timings of a command that records only its whole wall time ({@code bench}, {@code bench-unique},
 * {@code ingest}, {@code scale}).
 *
 * @param totalS the whole run, in seconds
 */
public record TotalTime(double totalS) {}
