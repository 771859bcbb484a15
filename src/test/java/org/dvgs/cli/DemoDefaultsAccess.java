package org.dvgs.cli;

import java.util.List;
import org.dvgs.config.DvgsConfig;

/** Test access to the demo's embedded settings. */
public final class DemoDefaultsAccess {
  private DemoDefaultsAccess() {}

  public static DvgsConfig load(List<String> overrides) {
    return DemoDefaults.load(null, overrides);
  }
}
