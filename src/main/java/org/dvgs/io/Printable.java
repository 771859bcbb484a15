package org.dvgs.io;

import java.util.Collection;
import java.util.List;

/**
 * Text taken from input files, made safe for one-line messages: control and other non-printable characters are
 * escaped ({@code \x1f}, {@code \ufffd}) and long text is abbreviated. A gzip file read as CSV, for example, has a
 * "column name" that starts with the bytes 1f 8b; printed raw it would garble the terminal and the log.
 */
public final class Printable {
  /** Characters kept of one name or value before it is abbreviated. */
  static final int MAX_CHARS = 80;
  /** Names listed before a list is cut short. */
  static final int MAX_NAMES = 40;

  private Printable() {}

  /** One name or value, escaped and abbreviated. */
  public static String of(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_CHARS) + 8);
    int i = 0;
    while (i < s.length()) {
      if (b.length() >= MAX_CHARS) {
        return b.append("...").toString();
      }
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (printable(cp)) {
        b.appendCodePoint(cp);
      } else if (cp <= 0xff) {
        b.append(String.format("\\x%02x", cp));
      } else if (cp <= 0xffff) {
        b.append(String.format("\\u%04x", cp));
      } else {
        b.append(String.format("\\U%08x", cp));
      }
    }
    return b.toString();
  }

  /** A list of names as {@code [a, b, c]}, each escaped; a long list is cut short with its total size. */
  public static String names(Collection<String> names) {
    List<String> all = List.copyOf(names.stream().map(n -> n == null ? "" : n).toList());
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < all.size() && i < MAX_NAMES; i++) {
      b.append(i == 0 ? "" : ", ").append(of(all.get(i)));
    }
    if (all.size() > MAX_NAMES) {
      b.append(", ... (").append(all.size()).append(" in all)");
    }
    return b.append(']').toString();
  }

  /** A list of names as {@code [a, b, c]}, each escaped. */
  public static String names(String[] names) {
    return names(java.util.Arrays.asList(names));
  }

  private static boolean printable(int cp) {
    if (cp == 0xfffd || Character.isISOControl(cp)) {
      return false; // U+FFFD is what a decoder puts where bytes were not text
    }
    return switch (Character.getType(cp)) {
      case Character.UNASSIGNED, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE,
          Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
      default -> true;
    };
  }
}
