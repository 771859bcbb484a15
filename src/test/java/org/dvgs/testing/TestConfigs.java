package org.dvgs.testing;

import java.util.ArrayList;
import java.util.List;
import org.dvgs.config.DvgsConfig;

/** Builds configurations from {@code key=value} overrides on the defaults, as the command line does. */
public final class TestConfigs {
  private TestConfigs() {}

  public static DvgsConfig of(String... overrides) {
    List<String> o = new ArrayList<>(List.of(overrides));
    return DvgsConfig.load(null, o);
  }
}
