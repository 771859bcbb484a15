package org.dvgs.l1000;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.dvgs.core.InputException;
import org.dvgs.testing.GctxWriter;
import org.dvgs.testing.L1000Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GCTX reader against CMap's real fixtures (expected values read independently with h5dump, see
 * src/test/resources/l1000/SOURCES.md) and against files this test writes itself.
 */
class GctxFileTest {
  @TempDir Path dir;

  @Test
  void readsCmapLevel5FixtureAsH5dumpDoes() {
    try (GctxFile f = GctxFile.open(L1000Fixtures.path("modzs_n25x50.gctx").toString(), null)) {
      assertEquals("GCTX1.0", f.version());
      assertEquals(25, f.samples());
      assertEquals(50, f.genes());
      String[] rows = f.rowIds();
      assertEquals("200814_at", rows[0]);
      assertEquals("200966_x_at", rows[49]);
      assertEquals("CPC004_PC3_24H:BRD-A51714012-001-03-1:10", f.columnIds(0, 1)[0]);
      assertEquals("CPC006_TYKNU_6H:BRD-K56343971-001-02-3:10", f.columnIds(24, 1)[0]);
      // h5dump -m '%.17g' -d '/0/DATA/0/matrix[r,c;;1,1]'
      assertEquals((float) -1.1453690528869629, f.block(0, 1, new int[] {0})[0][0]);
      assertEquals((float) -0.7602999210357666, f.block(24, 1, new int[] {49})[0][0]);
      float[][] b = f.block(5, 4, new int[] {13, 0});
      assertEquals((float) -0.33603367209434509, b[2][0]);
      // This fixture holds the text "<b5>" (an earlier conversion's escape of Latin-1 0xB5), as h5dump shows.
      GctxFile.Field dose = field(f.columnFields(), "pert_idose");
      assertEquals(GctxFile.Kind.STRING, dose.kind());
      Object[] doses = f.columnField(dose, 0, 3);
      assertEquals("10 <b5>M", doses[0]);
      assertEquals("500 nM", doses[1]);
      assertEquals("atorvastatin", f.columnField(field(f.columnFields(), "pert_iname"), 3, 1)[0]);
      GctxFile.Field ns = field(f.columnFields(), "distil_nsample");
      assertEquals(GctxFile.Kind.LONG, ns.kind());
      assertEquals(3L, f.columnField(ns, 3, 1)[0]);
      String[] isLm = f.rowFieldAsStrings("is_lm");
      assertEquals(50, isLm.length);
      assertTrue(List.of(isLm).stream().allMatch("1"::equals));
      assertEquals("5720", f.rowFieldAsStrings("pr_gene_id")[0]);
    }
  }

  @Test
  void readsCmapFixtureWithFullProvenance() {
    try (GctxFile f = GctxFile.open(L1000Fixtures.path("test_n5x10.gctx").toString(), null)) {
      assertEquals(5, f.samples());
      assertEquals(10, f.genes());
      assertEquals("CPC001_HA1E_24H:BRD-K34533029-001-01-0:10", f.columnIds(4, 1)[0]);
      assertEquals((float) 3.2362935543060303, f.block(4, 1, new int[] {6})[0][0]);
      assertArrayEquals(new String[] {"200814_at", "218597_s_at", "217140_s_at"}, java.util.Arrays.copyOf(f.rowIds(), 3));
      assertEquals("Y", f.rowFieldAsStrings("pr_is_lmark")[9]);
      Object[] distil = f.columnField(field(f.columnFields(), "distil_id"), 0, 1);
      assertEquals("CPC001_HA1E_24H_X1_B3_DUO52HI53LO:H01|CPC001_HA1E_24H_X2_B3_DUO52HI53LO:H01|CPC001_HA1E_24H_X3_B3_DUO52HI53LO:H01", distil[0]);
      assertEquals(GctxFile.Kind.DOUBLE, field(f.columnFields(), "pert_dose").kind());
      assertEquals(10.0, f.columnField(field(f.columnFields(), "pert_dose"), 2, 1)[0]);
    }
  }

  @Test
  void readsWhatItWrote() {
    int n = 23;
    int g = 6;
    float[][] m = new float[n][g];
    String[] cols = new String[n];
    double[] dose = new double[n];
    int[] count = new int[n];
    String[] unit = new String[n];
    for (int i = 0; i < n; i++) {
      cols[i] = "sig-" + i;
      dose[i] = i == 3 ? -666 : i * 0.5;
      count[i] = i % 4;
      unit[i] = i % 2 == 0 ? "\u00b5M" : i % 3 == 0 ? "10 ~M" : "nM";
      for (int j = 0; j < g; j++) {
        m[i][j] = i * 10 + j + 0.25f;
      }
    }
    m[7][2] = -666f;
    String[] genes = {"g0", "g1", "g2", "g3", "g4", "g5"};
    Path file = new GctxWriter(m, genes, cols)
        .rowField("is_lm", new int[] {1, 0, 1, 1, 0, 1})
        .colField("pert_dose", dose)
        .colField("count", count)
        .colField("pert_dose_unit", unit)
        .write(dir.resolve("w.gctx"));
    // CMap files hold Latin-1 0xB5 in strings declared ASCII: put that byte where "~" was written.
    GctxWriter.patchBytes(file, "10 ~M".getBytes(java.nio.charset.StandardCharsets.US_ASCII), new byte[] {'1', '0', ' ', (byte) 0xB5, 'M'});
    try (GctxFile f = GctxFile.open(file.toString(), null)) {
      assertEquals(n, f.samples());
      assertEquals(g, f.genes());
      assertArrayEquals(genes, f.rowIds());
      assertArrayEquals(new String[] {"1", "0", "1", "1", "0", "1"}, f.rowFieldAsStrings("is_lm"));
      assertArrayEquals(java.util.Arrays.copyOfRange(cols, 5, 12), f.columnIds(5, 7));
      float[][] b = f.block(5, 10, new int[] {5, 2, 0});
      for (int i = 0; i < 10; i++) {
        assertEquals(m[5 + i][5], b[i][0]);
        assertEquals(m[5 + i][0], b[i][2]);
      }
      assertTrue(Float.isNaN(b[2][1]), "-666 in the matrix is missing");
      Object[] d = f.columnField(field(f.columnFields(), "pert_dose"), 0, n);
      assertNull(d[3], "-666 in numeric metadata is missing");
      assertEquals(2.0, d[4]);
      assertEquals(3L, f.columnField(field(f.columnFields(), "count"), 0, n)[7]);
      assertEquals("\u00b5M", f.columnField(field(f.columnFields(), "pert_dose_unit"), 0, n)[0]);
      assertEquals("nM", f.columnField(field(f.columnFields(), "pert_dose_unit"), 0, n)[1]);
      assertEquals("10 \u00b5M", f.columnField(field(f.columnFields(), "pert_dose_unit"), 0, n)[3]);
    }
  }

  @Test
  void layoutErrorsNameFileAndDataset() {
    float[][] m = new float[4][3];
    String[] genes = {"a", "b", "c"};
    String[] cols = {"s0", "s1", "s2", "s3"};
    Path noMatrix = new GctxWriter(m, genes, cols).withoutMatrix().write(dir.resolve("nomatrix.gctx"));
    InputException e = assertThrows(InputException.class, () -> GctxFile.open(noMatrix.toString(), null));
    assertTrue(e.getMessage().contains("nomatrix.gctx") && e.getMessage().contains("/0/DATA/0/matrix") && e.getMessage().contains("missing"), e.getMessage());

    Path badCols = new GctxWriter(m, genes, new String[] {"s0", "s1", "s2"}).write(dir.resolve("badcols.gctx"));
    e = assertThrows(InputException.class, () -> GctxFile.open(badCols.toString(), null));
    assertTrue(e.getMessage().contains("/0/META/COL/id has 3 entries but the matrix has 4 samples"), e.getMessage());

    Path badRowField = new GctxWriter(m, genes, cols).rowField("is_lm", new int[] {1, 1}).write(dir.resolve("badrow.gctx"));
    e = assertThrows(InputException.class, () -> GctxFile.open(badRowField.toString(), null));
    assertTrue(e.getMessage().contains("/0/META/ROW/is_lm has 2 entries but the matrix has 3 genes"), e.getMessage());

    e = assertThrows(InputException.class, () -> GctxFile.open(dir.resolve("absent.gctx").toString(), null));
    assertTrue(e.getMessage().contains("absent.gctx") && e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void truncatedFileIsAClearError() throws Exception {
    byte[] all = java.nio.file.Files.readAllBytes(L1000Fixtures.path("modzs_n25x50.gctx"));
    for (int keep : new int[] {0, 7, 100, 2000, all.length / 2, all.length - 100}) {
      Path p = dir.resolve("trunc-" + keep + ".gctx");
      java.nio.file.Files.write(p, java.util.Arrays.copyOf(all, keep));
      InputException e = assertThrows(InputException.class, () -> {
        try (GctxFile f = GctxFile.open(p.toString(), null)) {
          f.rowIds();
          f.columnIds(0, f.samples());
          for (GctxFile.Field fl : f.columnFields()) {
            f.columnField(fl, 0, f.samples());
          }
          f.block(0, f.samples(), new int[] {0});
        }
      }, "truncated to " + keep + " bytes");
      assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }
  }

  @Test
  void aCorruptChunkIndexIsFoundWhenTheFileIsOpened() {
    Path p = L1000Fixtures.flippedChunkIndex(dir.resolve("flipped.gctx"));
    // Found on the driver, before any executor reads a block of the matrix.
    InputException e = assertThrows(InputException.class, () -> GctxFile.open(p.toString(), null).close());
    assertEquals("GCTX file " + p + ": cannot read /0/DATA/0/matrix (storage) (truncated or malformed file?): HdfException: B tree V1 node"
        + " signature not matched", e.getMessage());
  }

  @Test
  void aShapeLargerThanTheStoredBytesIsRefusedAtOpen() throws Exception {
    // modzs_n25x50 with every gene dimension (the matrix's and each row metadata dataset's) turned from 50 to 5000,
    // so the shapes agree with each other but not with the 10,000 bytes the matrix stores.
    byte[] b = java.nio.file.Files.readAllBytes(L1000Fixtures.path("modzs_n25x50.gctx"));
    int patched = replace(b, longs(25, 50, 25, 50), longs(25, 5000, 25, 5000))
        + replace(b, concat(new byte[] {1, 1, 1, 0, 0, 0, 0, 0}, longs(50, 50)), concat(new byte[] {1, 1, 1, 0, 0, 0, 0, 0}, longs(5000, 5000)));
    assertTrue(patched >= 3, "dataspaces patched: " + patched);
    Path p = java.nio.file.Files.write(dir.resolve("claims-more.gctx"), b);
    InputException e = assertThrows(InputException.class, () -> GctxFile.open(p.toString(), null).close());
    assertEquals("GCTX file " + p + ": /0/DATA/0/matrix has shape [25, 5000] (1000000 bytes) but stores only 10000 bytes (truncated file,"
        + " corrupt shape or missing chunks?)", e.getMessage());
  }

  private static byte[] longs(long... v) {
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(8 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (long x : v) {
      bb.putLong(x);
    }
    return bb.array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Replaces every occurrence of a byte pattern in place; returns how many. */
  private static int replace(byte[] hay, byte[] from, byte[] to) {
    int n = 0;
    outer:
    for (int i = 0; i + from.length <= hay.length; i++) {
      for (int j = 0; j < from.length; j++) {
        if (hay[i + j] != from[j]) {
          continue outer;
        }
      }
      System.arraycopy(to, 0, hay, i, to.length);
      n++;
    }
    return n;
  }

  /**
   * Every matrix value and every id of both CMap fixtures against h5dump's reading of the same file
   * (src/test/resources/l1000/h5dump, made with {@code h5dump -m '%.17g' -y -w 0 -o OUT -d DATASET FILE}).
   */
  @Test
  void everyValueAndIdMatchesH5dump() throws Exception {
    for (String name : new String[] {"modzs_n25x50", "test_n5x10"}) {
      List<String> nums = dumped(name + ".matrix.txt", false);
      List<String> colIds = dumped(name + ".colid.txt", true);
      List<String> rowIds = dumped(name + ".rowid.txt", true);
      try (GctxFile f = GctxFile.open(L1000Fixtures.path(name + ".gctx").toString(), null)) {
        assertEquals(colIds, List.of(f.columnIds(0, f.samples())), name);
        assertEquals(rowIds, List.of(f.rowIds()), name);
        assertEquals((long) f.samples() * f.genes(), nums.size(), name);
        int[] all = new int[f.genes()];
        for (int i = 0; i < all.length; i++) {
          all[i] = i;
        }
        float[][] x = f.block(0, f.samples(), all);
        for (int i = 0; i < f.samples(); i++) {
          for (int j = 0; j < f.genes(); j++) {
            assertEquals((float) Double.parseDouble(nums.get(i * f.genes() + j)), x[i][j], name + " [" + i + ", " + j + "]");
          }
        }
      }
    }
  }

  private static List<String> dumped(String file, boolean quoted) throws Exception {
    String text = java.nio.file.Files.readString(L1000Fixtures.path("h5dump/" + file));
    List<String> out = new java.util.ArrayList<>();
    if (quoted) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"([^\"]*)\"").matcher(text);
      while (m.find()) {
        out.add(m.group(1));
      }
    } else {
      for (String t : text.split("[,\\s]+")) {
        if (!t.isBlank()) {
          out.add(t.trim());
        }
      }
    }
    return out;
  }

  private static GctxFile.Field field(List<GctxFile.Field> fields, String name) {
    return fields.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no field " + name + " in " + fields));
  }
}
