package org.dvgs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.dvgs.config.DvgsConfig;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.InputException;
import org.dvgs.io.InputLoader;

/** Reads a config's inputs on the shared session and inspects errors and rejected rows. */
public final class InputChecks {
  private InputChecks() {}

  public static InputLoader.RawInputs read(DvgsConfig c) {
    return InputLoader.read(SharedSpark.get(), c.input(), c.model(), c.seed(), c.training().batchSize());
  }

  /** The message of the input error the config must raise. */
  public static String error(DvgsConfig c) {
    return assertThrows(InputException.class, () -> read(c)).getMessage();
  }

  /** Rejected rows by id with their reasons; fails on an id rejected twice. */
  public static Map<String, String> rejects(InputLoader.RawInputs raw) {
    Map<String, String> m = new HashMap<>();
    for (CanonicalRow r : raw.source().filter(r -> !r.valid()).collect()) {
      assertEquals(null, m.put(r.id(), r.reason()), "rejected id " + r.id() + " appears twice");
    }
    return m;
  }
}
