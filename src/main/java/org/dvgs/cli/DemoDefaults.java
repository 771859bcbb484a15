package org.dvgs.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.util.List;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;

/**
 * The demo's model and training settings ({@code demo.conf} in the jar), applied between the defaults and the
 * user's file, so that {@code dvgs demo} runs a sensible valuation with no config at all.
 */
final class DemoDefaults {
  private DemoDefaults() {}

  static DvgsConfig load(File file, List<String> overrides) {
    Config demo = ConfigFactory.parseResources(DemoDefaults.class.getClassLoader(), "demo.conf");
    if (demo.isEmpty()) {
      throw new IllegalStateException("demo.conf is missing from the class path");
    }
    Config user = ConfigFactory.empty();
    if (file != null) {
      if (!file.isFile()) {
        throw new ConfigValidationException("config file " + file + " does not exist or is not a file");
      }
      user = ConfigFactory.parseFile(file);
    }
    for (String o : overrides) {
      user = DvgsConfig.parseOverride(o).withFallback(user);
    }
    return DvgsConfig.fromUser(user.withFallback(demo));
  }
}
