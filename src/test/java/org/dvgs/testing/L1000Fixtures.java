package org.dvgs.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The small real CMap L1000 files under src/test/resources/l1000 (see SOURCES.md there). */
public final class L1000Fixtures {
  private L1000Fixtures() {}

  public static Path path(String name) {
    URL u = L1000Fixtures.class.getClassLoader().getResource("l1000/" + name);
    if (u == null) {
      throw new IllegalStateException("test resource l1000/" + name + " is missing");
    }
    try {
      return Path.of(u.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
