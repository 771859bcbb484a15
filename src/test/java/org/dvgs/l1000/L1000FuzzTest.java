package org.dvgs.l1000;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.dvgs.core.InputException;
import org.dvgs.testing.L1000Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both readers on mutated copies of real CMap fixtures: every case must either read or fail with the reader's own
 * {@link InputException} naming the file, within a time limit. A fixed seed makes the cases the same on every run.
 */
class L1000FuzzTest {
  private static final int GCTX_CASES = 160;
  private static final int GCT_CASES = 200;
  private static final Duration LIMIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  /** Reads every part of a GCTX file, as the ingest does. */
  private static void readAll(Path p) {
    try (GctxFile f = GctxFile.open(p.toString(), null)) {
      f.version();
      f.rowIds();
      for (GctxFile.Field fl : f.rowFields()) {
        f.rowFieldAsStrings(fl.name());
      }
      f.columnIds(0, f.samples());
      for (GctxFile.Field fl : f.columnFields()) {
        f.columnField(fl, 0, f.samples());
      }
      int[] all = new int[f.genes()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      f.block(0, f.samples(), all);
    }
  }

  @Test
  void mutatedGctxFilesReadOrFailClearly() throws Exception {
    byte[][] originals = {
      Files.readAllBytes(L1000Fixtures.path("test_n5x10.gctx")), Files.readAllBytes(L1000Fixtures.path("modzs_n25x50.gctx"))
    };
    SplittableRandom r = new SplittableRandom(2024);
    Map<String, Integer> outcomes = new TreeMap<>();
    for (int c = 0; c < GCTX_CASES; c++) {
      byte[] b = originals[c % 2].clone();
      String how = mutate(b, r);
      if (how.startsWith("truncate")) {
        b = java.util.Arrays.copyOf(b, Integer.parseInt(how.substring(9)));
      }
      Path p = dir.resolve("case-" + c + ".gctx");
      Files.write(p, b);
      String label = "case " + c + " (" + how + ")";
      String outcome = assertTimeoutPreemptively(LIMIT, () -> {
        try {
          readAll(p);
          return "read";
        } catch (InputException e) {
          assertTrue(e.getMessage().contains(p.toString()), label + ": message does not name the file: " + e.getMessage());
          return "error";
        } catch (Throwable t) {
          fail(label + ": not the reader's clear error: " + t, t);
          return "unreachable";
        }
      }, label);
      outcomes.merge(outcome, 1, Integer::sum);
    }
    // Most mutations hit data or padding and still read; some must be detected, or the test is not biting.
    assertTrue(outcomes.getOrDefault("error", 0) > 10, "outcomes " + outcomes);
  }

  /** Mutates in place, or returns "truncate N". */
  private static String mutate(byte[] b, SplittableRandom r) {
    int kind = r.nextInt(5);
    switch (kind) {
      case 0 -> {
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
          b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
        return n + " random bytes";
      }
      case 1 -> {
        int at = r.nextInt(b.length);
        b[at] ^= (byte) (1 << r.nextInt(8));
        return "bit flip at " + at;
      }
      case 2 -> {
        // Early bytes hold the superblock and object headers: the structural part of the file.
        int at = r.nextInt(Math.min(b.length, 4096));
        int len = 1 + r.nextInt(16);
        for (int i = at; i < Math.min(b.length, at + len); i++) {
          b[i] = (byte) (r.nextBoolean() ? 0 : 0xff);
        }
        return len + " bytes set at " + at;
      }
      case 3 -> {
        int at = r.nextInt(b.length - 8);
        long v = r.nextLong();
        for (int i = 0; i < 8; i++) {
          b[at + i] = (byte) (v >>> (8 * i));
        }
        return "random 64-bit word at " + at;
      }
      default -> {
        return "truncate " + r.nextInt(b.length);
      }
    }
  }

  @Test
  void mutatedGctTextReadsOrFailsClearly() throws Exception {
    // A GCT 1.3 rendering of the real test_n5x10 fixture (values and metadata as the GCTX reader returns them).
    StringBuilder text = new StringBuilder();
    try (GctxFile f = GctxFile.open(L1000Fixtures.path("test_n5x10.gctx").toString(), null)) {
      String[] rows = f.rowIds();
      String[] cols = f.columnIds(0, f.samples());
      int[] all = new int[f.genes()];
      for (int i = 0; i < all.length; i++) {
        all[i] = i;
      }
      float[][] x = f.block(0, f.samples(), all);
      text.append("#1.3\n").append(rows.length).append('\t').append(cols.length).append("\t1\t2\n");
      text.append("id\tpr_gene_symbol\t").append(String.join("\t", cols)).append('\n');
      for (String field : new String[] {"cell_id", "pert_id"}) {
        GctxFile.Field fl = f.columnFields().stream().filter(m -> m.name().equals(field)).findFirst().orElseThrow();
        text.append(field).append("\tna");
        for (Object v : f.columnField(fl, 0, cols.length)) {
          text.append('\t').append(v);
        }
        text.append('\n');
      }
      String[] symbols = f.rowFieldAsStrings("pr_gene_symbol");
      for (int g = 0; g < rows.length; g++) {
        text.append(rows[g]).append('\t').append(symbols[g]);
        for (float[] sample : x) {
          text.append('\t').append(sample[g]);
        }
        text.append('\n');
      }
    }
    String original = text.toString();
    GctFile.parse("fixture.gct", new BufferedReader(new StringReader(original))); // the unmutated text reads
    SplittableRandom r = new SplittableRandom(7);
    String alphabet = "\t\n0123456789.-eE#xNa ";
    Map<String, Integer> outcomes = new TreeMap<>();
    for (int c = 0; c < GCT_CASES; c++) {
      StringBuilder s = new StringBuilder(original);
      int edits = 1 + r.nextInt(4);
      for (int e = 0; e < edits; e++) {
        int at = r.nextInt(s.length());
        switch (r.nextInt(3)) {
          case 0 -> s.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
          case 1 -> s.deleteCharAt(at);
          default -> s.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
        }
      }
      String name = "case-" + c + ".gct";
      String mutated = s.toString();
      String outcome = assertTimeoutPreemptively(LIMIT, () -> {
        try {
          GctFile.parse(name, new BufferedReader(new StringReader(mutated)));
          return "read";
        } catch (InputException e) {
          assertTrue(e.getMessage().startsWith("GCT file " + name), "message does not name the file: " + e.getMessage());
          return "error";
        } catch (Throwable t) {
          fail(name + ": not the reader's clear error: " + t + "\n" + mutated, t);
          return "unreachable";
        }
      }, name);
      outcomes.merge(outcome, 1, Integer::sum);
    }
    assertTrue(outcomes.getOrDefault("error", 0) > 20 && outcomes.getOrDefault("read", 0) > 5, "outcomes " + outcomes);
  }
}
