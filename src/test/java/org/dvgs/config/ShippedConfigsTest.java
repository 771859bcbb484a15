package org.dvgs.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every config the project ships under conf/ loads and validates: unknown keys, bad values and variants that name
 * no key fail here rather than in a user's first run. The data locations the configs take from the environment are
 * given stand-in values (nothing is read).
 */
class ShippedConfigsTest {
  /** The environment variables the shipped configs substitute. */
  private static final Map<String, String> ENV = Map.of(
      "DVGS_DATA", "/data", "DVGS_DEMO", "/demo", "DVGS_TABLE", "/table.parquet", "DVGS_LABEL", "label",
      "DVGS_L1000", "/l1000.parquet");

  @Test
  void everyShippedConfigLoadsAndValidates() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Stream.concat(Files.list(Path.of("conf/experiments")),
        Stream.concat(Files.list(Path.of("conf/bench")), Stream.of(Path.of("conf/example-value.conf"))))) {
      files = s.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
    }
    assertTrue(files.size() > 20, "shipped configs found: " + files);
    for (Path f : files) {
      Config user = withStandIns(ConfigFactory.parseFile(f.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)));
      DvgsConfig cfg = assertDoesNotThrow(() -> DvgsConfig.fromUser(user), f.toString());
      if (user.hasPath("dvgs.evaluation.seeds") || user.hasPath("dvgs.evaluation.methods")) {
        // An evaluate config: its corruption and methods must suit its model (checked when `evaluate` starts).
        assertDoesNotThrow(() -> cfg.evaluation().checkFor(cfg.model()), f.toString());
      }
    }
  }

  @Test
  void theQualityVariantsKeepThePaperMetricUnlessTheyNameAdams() {
    Config user = withStandIns(ConfigFactory.parseFile(Path.of("conf/experiments/quality-adult-flips.conf").toFile()));
    DvgsConfig cfg = DvgsConfig.fromUser(user);
    assertFalse(cfg.variants().overrides().isEmpty());
    for (String name : cfg.variants().overrides().keySet()) {
      DvgsConfig v = cfg.variant(name);
      if (name.startsWith("precond")) {
        assertEquals(Preconditioner.ADAM, v.scoring().preconditioner(), name + " uses Adam's metric");
      } else {
        assertEquals(Preconditioner.NONE, v.scoring().preconditioner(), name + " keeps the paper preset's metric");
      }
    }
  }

  /** The config with the environment's substitutions resolved to the stand-ins, and the stand-ins removed again. */
  private static Config withStandIns(Config parsed) {
    Config c = parsed.withFallback(ConfigFactory.parseMap(ENV)).resolve(ConfigResolveOptions.defaults().setAllowUnresolved(true));
    for (String key : ENV.keySet()) {
      c = c.withoutPath(key);
    }
    return c;
  }
}
