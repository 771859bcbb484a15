package org.dvgs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Config values that used to be silently changed, and error messages that name the key, file or value. */
class ConfigEdgeCasesTest {
  static DvgsConfig of(String... overrides) {
    return DvgsConfig.load(null, List.of(overrides));
  }

  static String error(String... overrides) {
    return assertThrows(ConfigValidationException.class, () -> of(overrides)).getMessage();
  }

  @Test
  void fractionsForIntegerKeysAreErrorsNotTruncated() {
    String e = error("training.epochs=2.5");
    assertTrue(e.contains("dvgs.training.epochs") && e.contains("whole number") && e.contains("2.5"), e);
    e = error("training.snapshot-every=\"1.5\"");
    assertTrue(e.contains("dvgs.training.snapshot-every") && e.contains("whole number"), e);
    e = error("model.hidden=[8, 8.7]");
    assertTrue(e.contains("dvgs.model.hidden[1]") && e.contains("8.7"), e);
    e = error("seed=1.9");
    assertTrue(e.contains("dvgs.seed") && e.contains("1.9"), e);
    e = error("evaluation.seeds=[0, 0.5]");
    assertTrue(e.contains("dvgs.evaluation.seeds[1]"), e);
    // Whole numbers written as decimals or exponents are still fine.
    assertEquals(3, of("training.epochs=3.0").training().epochs());
    assertEquals(1000, of("training.batch-size=1e3").training().batchSize());
    assertEquals(List.of(8, 4), of("model.hidden=[8.0, 4]").model().hidden());
    e = error("training.batch-size=3000000000");
    assertTrue(e.contains("dvgs.training.batch-size") && e.contains("3000000000"), e);
  }

  @Test
  void unquotedOverrideStringsAreTakenVerbatim() {
    // HOCON would read "//" and "#" as the start of a comment and keep only "/data" and "exp".
    assertEquals("/data//x.parquet", of("input.source.path=/data//x.parquet").input().source().path());
    assertEquals("exp#1", of("run-id=exp#1").runId());
    assertEquals("hdfs://nn:8020/data/x", of("input.source.path=hdfs://nn:8020/data/x").input().source().path());
    assertEquals("s3a://bucket/x", of("dvgs.input.target.path=s3a://bucket/x").input().target().path());
    assertEquals("file:///tmp/out", of("output.path=file:///tmp/out").output().path());
    // Quoted strings, numbers, booleans, lists and enums keep their HOCON meaning.
    assertEquals("a#b", of("run-id=\"a#b\"").runId());
    assertEquals(";", of("input.source.options.sep=\";\"").input().source().options().get("sep"));
    assertEquals(7, of("training.epochs=7").training().epochs());
    assertTrue(of("output.overwrite=true").output().overwrite());
    assertEquals(List.of("a", "b"), of("input.source.features.columns=[a, b]").input().source().featureColumns());
    assertEquals(Task.AUTOENCODER, of("model.task=autoencoder").model().task());
    assertEquals("", of("run-id=").runId());
  }

  @Test
  void overrideKeysWithAndWithoutPrefixAndLastOneWins() {
    assertEquals(3, of("training.epochs=3").training().epochs());
    assertEquals(3, of("dvgs.training.epochs=3").training().epochs());
    assertEquals(5, of("training.epochs=3", "dvgs.training.epochs=5").training().epochs());
    assertEquals(3, of("dvgs.training.epochs=5", "training.epochs=3").training().epochs());
    String e = assertThrows(ConfigValidationException.class, () -> DvgsConfig.parseOverride("training.epochs")).getMessage();
    assertTrue(e.contains("training.epochs") && e.contains("key=value"), e);
    // An override key without the prefix is taken under dvgs., so a typo is reported with its full path.
    e = error("trainig.epochs=3");
    assertTrue(e.contains("dvgs.trainig.epochs"), e);
  }

  @Test
  void unknownKeysAreListedTogetherWhereverTheyAre() throws IOException {
    // Below a leaf, at the top level of a file, and several at once: all listed in one error.
    String e = error("training.epochs.max=3");
    assertTrue(e.contains("[dvgs.training.epochs.max]"), e);
    File f = write("""
        dvgs { training { epoch = 3, batchsize = 16 }, model.hiden = [8] }
        dvgs-extra { seed = 1 }
        """);
    e = assertThrows(ConfigValidationException.class, () -> DvgsConfig.load(f, List.of())).getMessage();
    assertTrue(e.contains("unknown config keys"), e);
    for (String k : List.of("dvgs-extra", "dvgs.training.epoch", "dvgs.training.batchsize", "dvgs.model.hiden")) {
      assertTrue(e.contains(k), k + " missing from: " + e);
    }
    // A typo inside a table definition too (table-defaults is a template, source/target are real tables).
    e = error("input.source.label=y");
    assertTrue(e.contains("dvgs.input.source.label"), e);
    e = assertThrows(ConfigValidationException.class,
        () -> DvgsConfig.fromUser(ConfigFactory.parseString("seed = 3"))).getMessage();
    assertTrue(e.contains("[seed]"), "a key outside dvgs { } is unknown: " + e);
  }

  @Test
  void badFilesAreNamed() throws IOException {
    Path dir = Files.createTempDirectory("dvgs-conf");
    String e = assertThrows(ConfigValidationException.class, () -> DvgsConfig.load(dir.toFile(), List.of())).getMessage();
    assertTrue(e.contains(dir.toString()) && e.contains("not a file"), e);
    File broken = write("dvgs { training { epochs = 3 }\n");
    e = assertThrows(ConfigValidationException.class, () -> DvgsConfig.load(broken, List.of())).getMessage();
    assertTrue(e.contains(broken.toString()) && e.contains("cannot parse"), e);
  }

  @Test
  void wrongTypesNameTheKeyAndTheType() {
    String e = error("training.epochs=many");
    assertTrue(e.contains("dvgs.training.epochs") && e.contains("wrong type"), e);
    e = error("input.source.features.columns=a");
    assertTrue(e.contains("dvgs.input.source.features.columns") && e.contains("LIST"), e);
    e = error("output.overwrite=perhaps");
    assertTrue(e.contains("dvgs.output.overwrite"), e);
    e = error("training.momentum=NaN");
    assertTrue(e.contains("dvgs.training.momentum") && e.contains("finite"), e);
    e = error("model.activation=sigmoid");
    assertTrue(e.contains("dvgs.model.activation") && e.contains("[relu, mish, tanh]") && e.contains("sigmoid"), e);
    e = error("input.split.mode=random");
    assertTrue(e.contains("dvgs.input.split.mode") && e.contains("[none, fraction, column, group-balanced]"), e);
    e = error("model.dropout=-0.1");
    assertTrue(e.contains("dvgs.model.dropout") && e.contains("[0.0, 1.0)"), e);
    e = error("input.target.features.column=x", "input.target.features.columns=[a, b]");
    assertTrue(e.contains("dvgs.input.target.features.column") && e.contains("dvgs.input.target.features.columns"), e);
  }

  static File write(String text) throws IOException {
    File f = Files.createTempFile("dvgs", ".conf").toFile();
    Files.writeString(f.toPath(), text);
    return f;
  }
}
