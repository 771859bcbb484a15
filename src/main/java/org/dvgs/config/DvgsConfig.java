package org.dvgs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The whole job configuration: typed, immutable, validated at start-up. Built from a user HOCON file plus
 * {@code key=value} overrides on top of the defaults in {@code reference.conf}; a user key that the defaults do
 * not define is an error, so a typo never silently falls back to a default.
 *
 * @param seed the one seed that drives every random choice
 * @param runId run identifier written to the value table ("" = derived from the configuration)
 * @param device compute device selection
 * @param input source and target tables
 * @param model network
 * @param training driver training
 * @param scoring executor scoring
 * @param aggregation how per-checkpoint similarities become a value
 * @param variants the DVGS variants {@code evaluate} runs as methods
 * @param output output location
 * @param spark Spark session settings
 * @param evaluation {@code evaluate} settings
 * @param demo {@code demo} settings
 * @param bench {@code bench} settings
 * @param unique {@code unique} settings
 * @param ingest {@code ingest} settings
 * @param scale {@code scale} settings
 * @param resolved the resolved {@code dvgs} section, as written to manifests
 */
public record DvgsConfig(
    long seed,
    String runId,
    DeviceKind device,
    InputConfig input,
    ModelConfig model,
    TrainingConfig training,
    ScoringConfig scoring,
    AggregationConfig aggregation,
    DvgsVariants variants,
    OutputConfig output,
    SparkSettings spark,
    EvaluationConfig evaluation,
    DemoConfig demo,
    BenchConfig bench,
    UniqueConfig unique,
    IngestConfig ingest,
    ScaleConfig scale,
    Config resolved) {

  public DvgsConfig {
    // preconditioner = auto depends on the optimizer: resolved here, once, so that everything downstream (training,
    // the snapshot fingerprint, scoring) sees none or adam only.
    scoring = scoring.resolvedFor(training);
    // Cross-section checks: every command validates them at start-up, and so does every with(..) copy.
    scoring.requireCompatible(model);
    scoring.requireCompatible(training);
  }

  /** Root of every key. */
  public static final String ROOT = "dvgs";

  /** Sections whose children are free-form (reader options, Spark settings). */
  private static final List<String> FREE_FORM =
      List.of("dvgs.input.source.options", "dvgs.input.target.options", "dvgs.spark.conf", "dvgs.table-defaults.options",
          "dvgs.evaluation.test.table.options", "dvgs.evaluation.variants");

  /** Builds and validates the typed configuration from a resolved config holding a {@code dvgs} section. */
  public static DvgsConfig from(Config config) {
    Keys k = Keys.at(config, ROOT);
    DvgsConfig c = new DvgsConfig(
        k.longValue("seed"),
        checkRunId(k.full("run-id"), k.string("run-id").trim()),
        k.enumValue("device", DeviceKind.class),
        InputConfig.from(k.section("input")),
        ModelConfig.from(k.section("model")),
        TrainingConfig.from(k.section("training")),
        ScoringConfig.from(k.section("scoring")),
        AggregationConfig.from(k.section("aggregation")),
        DvgsVariants.from(config),
        OutputConfig.from(k.section("output")),
        SparkSettings.from(k.section("spark")),
        EvaluationConfig.from(k.section("evaluation")),
        DemoConfig.from(k.section("demo")),
        BenchConfig.from(k.section("bench")),
        UniqueConfig.from(k.section("unique")),
        IngestConfig.from(k.section("ingest")),
        ScaleConfig.from(k.section("scale")),
        config.getConfig(ROOT));
    for (String name : c.variants().overrides().keySet()) {
      c.variant(name); // each variant's keys are checked like the run's own
    }
    return c;
  }

  /**
   * Loads a configuration.
   *
   * @param file user HOCON file, or null for defaults only
   * @param overrides {@code key=value} strings (HOCON syntax for the value), applied last
   */
  public static DvgsConfig load(File file, List<String> overrides) {
    Config user = ConfigFactory.empty();
    if (file != null) {
      if (!file.isFile()) {
        throw new ConfigValidationException("config file " + file + " does not exist or is not a file");
      }
      try {
        user = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
      } catch (ConfigException e) {
        throw new ConfigValidationException("cannot parse config file " + file + ": " + e.getMessage(), e);
      }
    }
    for (String o : overrides) {
      user = parseOverride(o).withFallback(user);
    }
    return fromUser(user);
  }

  /** Parses a {@code key=value} override; keys may omit the {@code dvgs.} prefix. */
  public static Config parseOverride(String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new ConfigValidationException("override \"" + override + "\" is not key=value");
    }
    String key = override.substring(0, eq).trim();
    if (!key.equals(ROOT) && !key.startsWith(ROOT + ".")) {
      key = ROOT + "." + key;
    }
    String value = override.substring(eq + 1).trim();
    try {
      Config parsed = ConfigFactory.parseString(key + " = " + (value.isEmpty() ? "\"\"" : value));
      if (!value.isEmpty() && !value.startsWith("\"") && isString(parsed, key)) {
        // An unquoted string is taken verbatim: HOCON would cut it at "//" or "#" (comment starts), silently
        // truncating a path such as /data//x or a run id such as exp#1.
        return ConfigFactory.empty().withValue(key, com.typesafe.config.ConfigValueFactory.fromAnyRef(value));
      }
      return parsed;
    } catch (ConfigException e) {
      // Values that are not valid HOCON (paths with colons, etc.) are taken as plain strings.
      return ConfigFactory.empty().withValue(key, com.typesafe.config.ConfigValueFactory.fromAnyRef(value));
    }
  }

  private static boolean isString(Config parsed, String key) {
    try {
      return parsed.getValue(key).valueType() == com.typesafe.config.ConfigValueType.STRING;
    } catch (ConfigException e) {
      return false; // substitutions (${...}) are resolved later
    }
  }

  /** Validates an unresolved user config against the defaults and builds the typed configuration. */
  public static DvgsConfig fromUser(Config user) {
    Config reference = ConfigFactory.parseResources(DvgsConfig.class.getClassLoader(), "reference.conf");
    Config merged;
    try {
      merged = user.withFallback(reference).resolve(ConfigResolveOptions.defaults());
    } catch (ConfigException e) {
      throw new ConfigValidationException("cannot resolve config: " + e.getMessage(), e);
    }
    checkKnownKeys(user, reference.resolve());
    return from(applyPreset(user, merged, reference.resolve()));
  }

  /**
   * Applies {@code dvgs.preset}: each pin {@code key = value} of {@code dvgs.presets.<name>} is set in the merged
   * configuration. A pinned key the user also set is refused unless the user's value equals the pinned one, so a
   * preset never silently overrides an explicit choice nor is silently overridden by one.
   */
  static Config applyPreset(Config user, Config merged, Config reference) {
    String name = merged.getString(ROOT + ".preset").trim();
    Config presets = merged.getConfig(ROOT + ".presets");
    if (!presets.hasPath(quote(name))) {
      throw new ConfigValidationException(ROOT + ".preset = \"" + name + "\" is not one of " + new TreeSet<>(presets.root().keySet()));
    }
    Config userResolved;
    try {
      userResolved = user.resolve(ConfigResolveOptions.defaults().setAllowUnresolved(true));
    } catch (ConfigException e) {
      userResolved = user;
    }
    Config out = merged;
    for (String pin : presets.getStringList(quote(name))) {
      Config p = parseOverride(pin);
      String key = p.entrySet().iterator().next().getKey();
      if (!reference.hasPathOrNull(key)) {
        throw new ConfigValidationException(ROOT + ".presets." + name + " pins " + key + ", which is not a config key");
      }
      Object pinned = p.getValue(key).unwrapped();
      if (userResolved.hasPath(key) && !String.valueOf(userResolved.getValue(key).unwrapped()).equals(String.valueOf(pinned))) {
        throw new ConfigValidationException(
            key + " = " + userResolved.getValue(key).render(ConfigRenderOptions.concise()) + " conflicts with " + ROOT + ".preset = "
                + name + ", which pins it to " + p.getValue(key).render(ConfigRenderOptions.concise())
                + " (drop the key or the preset)");
      }
      out = p.withFallback(out);
    }
    return out;
  }

  private static String quote(String name) {
    return com.typesafe.config.ConfigUtil.joinPath(name);
  }

  private static void checkKnownKeys(Config user, Config reference) {
    List<String> unknown = new ArrayList<>();
    for (String top : user.root().keySet()) {
      if (!top.equals(ROOT)) {
        unknown.add(top);
      }
    }
    if (user.hasPath(ROOT) || user.root().containsKey(ROOT)) {
      Config userResolved;
      try {
        userResolved = user.resolve(ConfigResolveOptions.defaults().setAllowUnresolved(true));
      } catch (ConfigException e) {
        userResolved = user;
      }
      for (Map.Entry<String, ConfigValue> e : userResolved.entrySet()) {
        String path = e.getKey();
        if (!path.startsWith(ROOT + ".") || isFreeForm(path)) {
          continue;
        }
        if (!reference.hasPathOrNull(path)) {
          unknown.add(path);
        }
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigValidationException(
          "unknown config key" + (unknown.size() > 1 ? "s " : " ") + new TreeSet<>(unknown)
              + " (see reference.conf for the keys dvgs-spark reads)");
    }
  }

  private static boolean isFreeForm(String path) {
    for (String f : FREE_FORM) {
      if (path.startsWith(f + ".")) {
        return true;
      }
    }
    return false;
  }

  /**
   * A run id names the partition {@code run_id=<id>} of the output tables. Spark's partition discovery reads a
   * partition value that looks like a number or a date as that type, so a run id must start with a letter and must
   * not read as a number (NaN, Infinity); then {@code run_id} stays a string column for every reader.
   */
  static String checkRunId(String key, String id) {
    if (id.isEmpty()) {
      return id;
    }
    boolean number;
    try {
      Double.parseDouble(id);
      number = true;
    } catch (NumberFormatException e) {
      number = false;
    }
    if (!Character.isLetter(id.charAt(0)) || number || id.length() > 200) {
      throw new ConfigValidationException(
          key + " = \"" + id + "\" must start with a letter, not read as a number, and have at most 200 characters"
              + " (it names the partition run_id=<id>; e.g. dvgs_20261123)");
    }
    return id;
  }

  /** The resolved {@code dvgs} section as JSON, for manifests. */
  public String toJson() {
    return resolved.root().render(ConfigRenderOptions.concise());
  }

  /**
   * The configuration of DVGS variant {@code name} ({@link DvgsVariants}): this one with the variant's keys replaced,
   * and no variants of its own.
   */
  public DvgsConfig variant(String name) {
    Map<String, Object> set = new java.util.LinkedHashMap<>(variants.overrides().get(name));
    set.put("evaluation.methods", List.of("dvgs"));
    set.put("evaluation.variants", Map.of());
    try {
      return with(set);
    } catch (ConfigValidationException | ConfigException e) {
      throw new ConfigValidationException(ROOT + ".evaluation.variants." + name + ": " + e.getMessage(), e);
    }
  }

  /** Returns a copy of this configuration with some keys replaced (keys may omit the {@code dvgs.} prefix). */
  public DvgsConfig with(Map<String, ?> replacements) {
    Config c = resolved.atKey(ROOT);
    for (Map.Entry<String, ?> e : replacements.entrySet()) {
      String key = e.getKey().startsWith(ROOT + ".") ? e.getKey() : ROOT + "." + e.getKey();
      c = c.withValue(key, com.typesafe.config.ConfigValueFactory.fromAnyRef(e.getValue()));
    }
    return from(c);
  }
}
