package org.dvgs.output;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Redaction of secrets in configurations written where others read them (manifests, reports): the value of every
 * key whose name, in any of its dot-separated segments, contains password, secret, token or credential, or is an
 * access key (a word {@code key} or {@code keys}, as in {@code fs.s3a.access.key} or {@code fs.azure.account.key.*},
 * or a compound such as {@code accessKey}, {@code AccountKey}, {@code apikey}); and the password of a
 * {@code scheme://user:password@host} URI in any string value.
 */
public final class Secrets {
  /** What a secret value is replaced by. */
  public static final String REDACTED = "*** redacted ***";

  private static final Pattern WORDS = Pattern.compile("(?<=[a-z0-9])(?=[A-Z])|[-_\\s]+");
  private static final Pattern COMPOUND_KEY =
      Pattern.compile(".*(access|secret|private|account|api|master|shared|encryption|signing|storage|sas|client)key.*");
  private static final Pattern URI_PASSWORD = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://[^/@\\s:]*):[^/@\\s]*@");

  private Secrets() {}

  /** True when a key of this name holds a secret. */
  public static boolean isSecretKey(String name) {
    for (String segment : name.split("\\.")) {
      String s = segment.toLowerCase(Locale.ROOT);
      if (s.contains("password") || s.contains("passwd") || s.contains("secret") || s.contains("token") || s.contains("credential")) {
        return true;
      }
      for (String w : WORDS.split(segment)) {
        String lw = w.toLowerCase(Locale.ROOT);
        if (lw.equals("key") || lw.equals("keys")) {
          return true;
        }
      }
      if (COMPOUND_KEY.matcher(s.replaceAll("[-_]", "")).matches()) {
        return true;
      }
    }
    return false;
  }

  /**
   * A copy of a tree of maps, lists and values with the values of secret keys replaced by {@link #REDACTED} (empty
   * values stay empty: they hide nothing) and URI passwords removed from strings.
   */
  public static Object redact(Object tree) {
    if (tree instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        Object v = e.getValue();
        boolean empty = v == null || (v instanceof String s && s.isEmpty());
        out.put(e.getKey(), isSecretKey(String.valueOf(e.getKey())) && !empty ? REDACTED : redact(v));
      }
      return out;
    }
    if (tree instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        out.add(redact(o));
      }
      return out;
    }
    if (tree instanceof String s) {
      return URI_PASSWORD.matcher(s).replaceAll("$1:" + java.util.regex.Matcher.quoteReplacement(REDACTED) + "@");
    }
    return tree;
  }
}
