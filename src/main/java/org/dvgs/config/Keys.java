package org.dvgs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed, validating access to one section of the resolved configuration. Every error names the full key
 * ({@code dvgs.<section>.<key>}) so a user can find it in their file.
 */
public final class Keys {
  private final Config config;
  private final String prefix;

  private Keys(Config config, String prefix) {
    this.config = config;
    this.prefix = prefix;
  }

  /** Accessor for the section at {@code path} (e.g. {@code dvgs.training}). */
  public static Keys at(Config root, String path) {
    try {
      return new Keys(root.getConfig(path), path + ".");
    } catch (ConfigException e) {
      throw new ConfigValidationException(path + ": " + e.getMessage(), e);
    }
  }

  public String full(String key) {
    return prefix + key;
  }

  public Keys section(String key) {
    try {
      return new Keys(config.getConfig(key), full(key) + ".");
    } catch (ConfigException e) {
      throw wrap(key, e);
    }
  }

  public String string(String key) {
    try {
      return config.getString(key);
    } catch (ConfigException e) {
      throw wrap(key, e);
    }
  }

  public boolean bool(String key) {
    try {
      return config.getBoolean(key);
    } catch (ConfigException e) {
      throw wrap(key, e);
    }
  }

  public long longValue(String key) {
    try {
      long v = config.getLong(key);
      requireWhole(key, config.getNumber(key));
      return v;
    } catch (ConfigException e) {
      throw wrap(key, e);
    }
  }

  public int integer(String key) {
    try {
      int v = config.getInt(key);
      requireWhole(key, config.getNumber(key));
      return v;
    } catch (ConfigException e) {
      throw wrap(key, e);
    }
  }

  /** The config library truncates 2.5 to 2 for integer keys; a fraction is an error instead. */
  private void requireWhole(String key, Number n) {
    double d = n.doubleValue();
    if (d != Math.rint(d)) {
      throw new ConfigValidationException(full(key) + " must be a whole number, got " + n);
    }
  }

  public double number(String key) {
    try {
      double v = config.getDouble(key);
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        throw new ConfigValidationException(full(key) + " must be a finite number, got " + v);
      }
      return v;
    } catch (ConfigException e) {
      throw wrap(key, e);
    }
  }

  public List<String> strings(String key) {
    try {
      return List.copyOf(config.getStringList(key));
    } catch (ConfigException e) {
      throw wrap(key, e);
    }
  }

  public List<Integer> ints(String key) {
    try {
      List<Integer> v = List.copyOf(config.getIntList(key));
      requireWholeList(key, config.getNumberList(key));
      return v;
    } catch (ConfigException e) {
      throw wrap(key, e);
    }
  }

  public List<Double> doubles(String key) {
    try {
      return List.copyOf(config.getDoubleList(key));
    } catch (ConfigException e) {
      throw wrap(key, e);
    }
  }

  public List<Long> longs(String key) {
    try {
      List<Long> v = List.copyOf(config.getLongList(key));
      requireWholeList(key, config.getNumberList(key));
      return v;
    } catch (ConfigException e) {
      throw wrap(key, e);
    }
  }

  private void requireWholeList(String key, List<Number> list) {
    for (int i = 0; i < list.size(); i++) {
      double d = list.get(i).doubleValue();
      if (d != Math.rint(d)) {
        throw new ConfigValidationException(full(key) + "[" + i + "] must be a whole number, got " + list.get(i));
      }
    }
  }

  /** A free-form map of string values (reader options, Spark settings). */
  public Map<String, String> stringMap(String key) {
    ConfigObject obj;
    try {
      obj = config.getObject(key);
    } catch (ConfigException e) {
      throw wrap(key, e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : obj.toConfig().entrySet()) {
      ConfigValue v = e.getValue();
      if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
        throw new ConfigValidationException(full(key) + "." + e.getKey() + " must be a plain value");
      }
      out.put(stripQuotes(e.getKey()), String.valueOf(v.unwrapped()));
    }
    return Map.copyOf(out);
  }

  private static String stripQuotes(String key) {
    return key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"") ? key.substring(1, key.length() - 1) : key;
  }

  /** Parses an enum value written in kebab case (e.g. {@code neg-euclidean}). */
  public <E extends Enum<E>> E enumValue(String key, Class<E> type) {
    String raw = string(key);
    String norm = raw.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(norm)) {
        return e;
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      allowed.add(kebab(e));
    }
    throw new ConfigValidationException(full(key) + " = \"" + raw + "\" is not one of " + allowed);
  }

  /** The kebab-case spelling of an enum constant, as written in configs. */
  public static String kebab(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public int positiveInt(String key) {
    int v = integer(key);
    if (v <= 0) {
      throw new ConfigValidationException(full(key) + " must be > 0, got " + v);
    }
    return v;
  }

  public int nonNegativeInt(String key) {
    int v = integer(key);
    if (v < 0) {
      throw new ConfigValidationException(full(key) + " must be >= 0, got " + v);
    }
    return v;
  }

  public double positive(String key) {
    double v = number(key);
    if (v <= 0) {
      throw new ConfigValidationException(full(key) + " must be > 0, got " + v);
    }
    return v;
  }

  /**
   * A duration such as {@code 30m}, {@code 90s} or {@code 2h} (HOCON duration syntax; a bare number is milliseconds),
   * in seconds; must be {@code >= 0}.
   */
  public double seconds(String key) {
    try {
      java.time.Duration d = config.getDuration(key);
      if (d.isNegative()) {
        throw new ConfigValidationException(full(key) + " must not be negative, got " + config.getValue(key).unwrapped());
      }
      return d.toNanos() / 1e9;
    } catch (ConfigException e) {
      throw wrap(key, e);
    }
  }

  public double inRange(String key, double lo, double hi, boolean hiInclusive) {
    double v = number(key);
    if (v < lo || (hiInclusive ? v > hi : v >= hi)) {
      throw new ConfigValidationException(
          full(key) + " must be in [" + lo + ", " + hi + (hiInclusive ? "]" : ")") + ", got " + v);
    }
    return v;
  }

  private ConfigValidationException wrap(String key, ConfigException e) {
    String msg;
    if (e instanceof ConfigException.Missing) {
      msg = full(key) + " is missing";
    } else if (e instanceof ConfigException.WrongType) {
      msg = full(key) + " has the wrong type: " + e.getMessage();
    } else {
      msg = full(key) + ": " + e.getMessage();
    }
    return new ConfigValidationException(msg, e);
  }
}
