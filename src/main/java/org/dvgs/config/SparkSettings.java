package org.dvgs.config;

import java.util.Map;

/**
 * Spark session settings for runs not launched by spark-submit.
 *
 * @param master master URL used when none is set by the launcher
 * @param appName application name
 * @param conf extra Spark settings
 */
public record SparkSettings(String master, String appName, Map<String, String> conf) {
  static SparkSettings from(Keys k) {
    return new SparkSettings(k.string("master").trim(), k.string("app-name"), k.stringMap("conf"));
  }
}
