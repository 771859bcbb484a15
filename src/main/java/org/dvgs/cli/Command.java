package org.dvgs.cli;

import java.io.PrintStream;

/**
 * One subcommand of {@code dvgs}: its name, its entry in the usage text, and what it does with the parsed
 * arguments. A command throws whatever goes wrong; {@link Main} maps it to the exit status.
 */
interface Command {
  /** The name the user types ({@code value}, {@code evaluate}, ...). */
  String name();

  /** The command's entry in the usage text: lines indented as {@link Main#USAGE} shows them, each ending in a newline. */
  String usage();

  /**
   * Runs the command, printing its summary on {@code out}.
   *
   * @return the exit status (0: success)
   */
  int run(Arguments args, PrintStream out) throws Exception;
}
