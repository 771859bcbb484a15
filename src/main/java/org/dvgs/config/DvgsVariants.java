package org.dvgs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * DVGS variants that {@code evaluate} runs as methods of their own ({@code dvgs.evaluation.variants} and the
 * {@code "dvgs:<name>"} entries of {@code dvgs.evaluation.methods}): each is the run's configuration with some
 * {@code model}, {@code training}, {@code scoring} or {@code aggregation} keys replaced.
 *
 * @param run the variants listed in the methods, in order
 * @param overrides each defined variant's replaced keys (relative to {@code dvgs}), sorted by key
 */
public record DvgsVariants(List<String> run, Map<String, Map<String, Object>> overrides) {

  /** The prefix of a variant in {@code dvgs.evaluation.methods}. */
  public static final String PREFIX = "dvgs:";

  /** The sections a variant may change: what values a row, never the rows, the corruption or the outputs. */
  static final List<String> SECTIONS = List.of("model.", "training.", "scoring.", "aggregation.");

  static DvgsVariants from(Config merged) {
    String root = DvgsConfig.ROOT + ".evaluation.";
    Config section = merged.getConfig(root + "variants");
    Map<String, Map<String, Object>> overrides = new LinkedHashMap<>();
    for (String name : new java.util.TreeSet<>(section.root().keySet())) {
      String full = root + "variants." + name;
      if (!name.matches("[A-Za-z][A-Za-z0-9_-]{0,63}")) {
        throw new ConfigValidationException(full + ": a variant name must start with a letter and hold only letters, digits, - and _");
      }
      if (!(section.root().get(name) instanceof com.typesafe.config.ConfigObject)) {
        throw new ConfigValidationException(full + " must be an object of dvgs keys, e.g. { aggregation.burn-in = 10 }");
      }
      Map<String, Object> keys = new TreeMap<>();
      for (Map.Entry<String, ConfigValue> e : section.getConfig(com.typesafe.config.ConfigUtil.joinPath(name)).entrySet()) {
        String key = e.getKey();
        if (!merged.hasPathOrNull(DvgsConfig.ROOT + "." + key)) {
          throw new ConfigValidationException(full + "." + key + ": unknown config key dvgs." + key);
        }
        if (SECTIONS.stream().noneMatch(key::startsWith)) {
          throw new ConfigValidationException(full + "." + key + ": a variant may only change keys under " + SECTIONS);
        }
        keys.put(key, e.getValue().unwrapped());
      }
      overrides.put(name, Map.copyOf(keys));
    }
    List<String> run = new ArrayList<>();
    for (String m : merged.getStringList(root + "methods")) {
      String t = m.trim();
      if (!t.startsWith(PREFIX)) {
        continue;
      }
      String name = t.substring(PREFIX.length());
      if (!overrides.containsKey(name)) {
        throw new ConfigValidationException(
            root + "methods lists '" + t + "', but " + root + "variants defines no variant '" + name + "' (defined: " + overrides.keySet() + ")");
      }
      if (run.contains(name)) {
        throw new ConfigValidationException(root + "methods lists '" + t + "' twice");
      }
      run.add(name);
    }
    return new DvgsVariants(List.copyOf(run), Map.copyOf(overrides));
  }

  /** Whether an entry of {@code dvgs.evaluation.methods} names a variant. */
  public static boolean isVariant(String method) {
    return method.trim().startsWith(PREFIX);
  }
}
