package org.dvgs.output;

import java.util.Map;

/**
 * Row counts of a run's inputs, as validation found them: {@code source_read = source_valid + source_rejected}.
 * The {@code test_*} counts are there when a test set was held out of the source or read from a table.
 *
 * @param sourceRead source rows read
 * @param sourceRejected source rows that cannot be valued (written to the rejects table)
 * @param sourceValid source rows that can be valued
 * @param rejectedByReason rejected source rows per reason category
 * @param targetRead target rows read
 * @param targetUsed target rows trained on
 * @param testHeldOut rows held out of the source as a test set
 * @param testRead test rows read
 * @param testValid valid test rows
 * @param testRejected invalid test rows (left out of the test set)
 * @param testRejectedByReason invalid test rows per reason category
 */
public record InputCounts(
    long sourceRead,
    long sourceRejected,
    long sourceValid,
    Map<String, Long> rejectedByReason,
    long targetRead,
    long targetUsed,
    @MayBeAbsent Long testHeldOut,
    @MayBeAbsent Long testRead,
    @MayBeAbsent Long testValid,
    @MayBeAbsent Long testRejected,
    @MayBeAbsent Map<String, Long> testRejectedByReason) {

  /**
   * These counts with the test rows of a test table: its {@code test_read, test_valid, test_rejected,
   * test_rejected_by_reason} replace any there were, and {@code test_held_out} stays as it is.
   */
  public InputCounts withTest(long read, long valid, long rejected, Map<String, Long> byReason) {
    return new InputCounts(sourceRead, sourceRejected, sourceValid, rejectedByReason, targetRead, targetUsed, testHeldOut, read, valid, rejected, byReason);
  }
}
