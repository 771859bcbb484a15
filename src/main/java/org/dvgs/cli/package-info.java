/**
 * The command line: {@link org.dvgs.cli.Main} parses the arguments every command shares ({@link
 * org.dvgs.cli.Arguments}), dispatches to one {@link org.dvgs.cli.Command} per subcommand ({@code value},
 * {@code demo}, {@code evaluate}, {@code report}, {@code bench}, {@code unique}, {@code bench-unique},
 * {@code ingest}, {@code l1000}, {@code scale}), and maps what a command throws to the exit status: 2 for the
 * project's config and input errors wherever they sit in the cause chain (inside Spark's job failures too), 1 with
 * the stack trace for anything else. Each command loads its configuration, runs its job from {@code pipeline} or
 * {@code report} and prints its summary lines; nothing else prints to standard output.
 *
 * <p>The top of the import graph: may import every other {@code org.dvgs} package; none imports it.
 *
 * <p>May import: {@code org.dvgs.aggregation}, {@code org.dvgs.baselines}, {@code org.dvgs.config},
 * {@code org.dvgs.core}, {@code org.dvgs.evaluation}, {@code org.dvgs.io}, {@code org.dvgs.l1000},
 * {@code org.dvgs.ml}, {@code org.dvgs.model}, {@code org.dvgs.output}, {@code org.dvgs.pipeline},
 * {@code org.dvgs.report}, {@code org.dvgs.scoring}, {@code org.dvgs.spark}, {@code org.dvgs.training},
 * {@code org.dvgs.uniqueness}.
 */
package org.dvgs.cli;
