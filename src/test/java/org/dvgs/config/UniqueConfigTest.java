package org.dvgs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The dvgs.unique section: defaults, k from eps, the warning below the bound, errors naming the key. */
class UniqueConfigTest {
  static UniqueConfig of(String... overrides) {
    return DvgsConfig.load(null, List.of(overrides)).unique();
  }

  static String error(String... overrides) {
    return assertThrows(ConfigValidationException.class, () -> of(overrides)).getMessage();
  }

  @Test
  void defaults() {
    UniqueConfig u = of();
    assertEquals("", u.snapshotDir());
    assertEquals(-1, u.checkpoint());
    assertEquals(1, u.lastLayers());
    assertEquals(0, u.k());
    assertEquals(0.3, u.eps());
    assertEquals(0.3, u.threshold());
    assertTrue(u.clustersEnabled());
  }

  @Test
  void kFollowsFromEpsUnlessGiven() {
    // 8 ln(10000) / 0.3^2 = 818.7
    assertEquals(819, of().dimension(10000));
    assertEquals(8 * Math.log(10000) / 0.01, of("unique.eps=0.1").dimension(10000), 1.0);
    assertEquals(200, of("unique.k=200").dimension(10000));
    assertNull(of().dimensionWarning(10000));
    assertNull(of("unique.k=1000").dimensionWarning(10000));
    String w = of("unique.k=200").dimensionWarning(10000);
    assertTrue(w.contains("dvgs.unique.k = 200") && w.contains("819") && w.contains("dvgs.unique.eps"), w);
  }

  @Test
  void badValuesNameTheKey() {
    assertTrue(error("unique.eps=0").contains("dvgs.unique.eps"));
    assertTrue(error("unique.eps=1.5").contains("dvgs.unique.eps"));
    assertTrue(error("unique.threshold=1.2").contains("dvgs.unique.threshold"));
    assertTrue(error("unique.k=-3").contains("dvgs.unique.k must be >= 0"));
    assertTrue(error("unique.checkpoint=-2").contains("dvgs.unique.checkpoint"));
    assertTrue(error("unique.clusters.count=1").contains("dvgs.unique.clusters.count"));
    assertTrue(error("unique.clusters.min=1").contains("dvgs.unique.clusters.min"));
    String e = error("unique.clusters.min=6", "unique.clusters.max=4");
    assertTrue(e.contains("dvgs.unique.clusters.max") && e.contains("dvgs.unique.clusters.min"), e);
    assertTrue(error("unique.batch-size=0").contains("dvgs.unique.batch-size"));
    assertTrue(error("unique.dimension=5").contains("dvgs.unique.dimension"));
    assertTrue(error("unique.last-layers=many").contains("dvgs.unique.last-layers"));
  }
}
