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
 */
package org.dvgs.cli;
