package org.dvgs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of the main sources, read from the sources themselves: which {@code org.dvgs} package imports
 * which (single-type, static and wildcard imports, and fully-qualified names in code; comments and string literals
 * do not count), and which outside libraries {@code config} and {@code core} use. The allowed imports below are the
 * ones each package's {@code package-info.java} states in its "May import:" paragraph; the two must agree, so a new
 * dependency is a deliberate edit of both.
 */
class ArchitectureTest {
  private static final Path MAIN = Path.of("src", "main", "java");
  private static final Path TEST = Path.of("src", "test", "java");

  /** Which org.dvgs packages each main package may import (short names, without {@code org.dvgs.}). */
  static final Map<String, Set<String>> ALLOWED = new TreeMap<>(Map.ofEntries(
      Map.entry("config", Set.of()),
      Map.entry("spark", Set.of()),
      Map.entry("core", Set.of()),
      Map.entry("io", Set.of("config", "core", "output")),
      Map.entry("output", Set.of("config", "core")),
      Map.entry("model", Set.of("config", "core")),
      Map.entry("training", Set.of("config", "core", "model", "output")),
      Map.entry("scoring", Set.of("config", "core", "io", "model", "spark")),
      Map.entry("aggregation", Set.of("config", "core", "scoring")),
      Map.entry("evaluation", Set.of("config", "core", "io", "model", "spark", "training")),
      Map.entry("baselines", Set.of("aggregation", "config", "core", "io", "model", "scoring", "training")),
      Map.entry("report", Set.of("config", "core", "io", "output")),
      Map.entry("pipeline", Set.of("aggregation", "baselines", "config", "core", "evaluation", "io", "model", "output", "scoring", "spark", "training")),
      Map.entry("ml", Set.of("aggregation", "baselines", "config", "core", "evaluation", "io", "model", "output", "pipeline", "scoring", "spark", "training")),
      Map.entry("l1000", Set.of("config", "core", "evaluation", "io", "model", "output", "pipeline", "scoring", "spark", "training")),
      Map.entry("uniqueness", Set.of("aggregation", "config", "core", "evaluation", "io", "model", "output", "pipeline", "scoring", "spark", "training")),
      Map.entry("cli", Set.of("aggregation", "baselines", "config", "core", "evaluation", "io", "l1000", "ml", "model", "output", "pipeline", "report", "scoring", "spark", "training", "uniqueness"))));

  /** Outside libraries a package must not use, by package prefix. */
  static final Map<String, List<String>> FORBIDDEN = Map.of(
      "config", List.of("org.apache.spark", "ai.djl"),
      "core", List.of("org.apache.spark", "org.apache.hadoop", "scala", "ai.djl"));

  private static final String ROOT = "org.dvgs";
  private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
  private static final Pattern IMPORT =
      Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.]+?)(\\.\\*)?\\s*;", Pattern.MULTILINE);
  private static final Pattern QUALIFIED = Pattern.compile("(?<![\\w.])([a-z_][\\w]*(?:\\.[A-Za-z_$][\\w$]*)+)");
  private static final Pattern MAY_IMPORT =
      Pattern.compile("May import:(.*?)(?:\\n\\s*\\*\\s*\\n|\\*/)", Pattern.DOTALL);
  private static final Pattern DVGS_PACKAGE = Pattern.compile("org\\.dvgs\\.(\\w+)");

  /** One main source file: its package, and every reference it makes with the line it is on. */
  record Source(Path file, String pkg, List<Ref> refs) {}

  /** A name a source refers to: an imported or fully-qualified name. */
  record Ref(String name, int line) {}

  private static List<Source> sources;
  private static Set<String> packages;

  @BeforeAll
  static void read() {
    assertTrue(Files.isDirectory(MAIN), "run from the project root: no " + MAIN.toAbsolutePath());
    sources = javaFiles(MAIN).stream().map(ArchitectureTest::parse).toList();
    packages = sources.stream().map(Source::pkg).collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void everyPackageHasAPackageInfo() {
    List<String> missing = new ArrayList<>();
    for (String p : packages) {
      if (!Files.exists(dir(MAIN, p).resolve("package-info.java"))) {
        missing.add(p + " (" + dir(MAIN, p) + ")");
      }
    }
    // packages that exist only among the tests get one too
    Set<String> testOnly = javaFiles(TEST).stream().map(f -> parse(f).pkg()).collect(Collectors.toCollection(TreeSet::new));
    testOnly.removeAll(packages);
    for (String p : testOnly) {
      if (!Files.exists(dir(TEST, p).resolve("package-info.java"))) {
        missing.add(p + " (" + dir(TEST, p) + ")");
      }
    }
    assertEquals(List.of(), missing, "packages without package-info.java (say what lives there and what it may import)");
  }

  @Test
  void noCyclesBetweenPackages() {
    List<List<String>> cycles = cycles(graph());
    if (!cycles.isEmpty()) {
      StringBuilder b = new StringBuilder("packages that import each other:");
      Map<String, Map<String, String>> evidence = evidence();
      Map<String, Set<String>> g = graph();
      for (List<String> c : cycles) {
        b.append("\n  ").append(String.join(", ", c)).append("; for example:");
        List<String> path = cycleThrough(c.get(0), g, Set.copyOf(c));
        for (int k = 0; k + 1 < path.size(); k++) {
          String from = path.get(k);
          String to = path.get(k + 1);
          b.append("\n    ").append(from).append(" -> ").append(to).append(": ").append(evidence.get(from).get(to));
        }
      }
      fail(b.toString());
    }
  }

  @Test
  void configAndCoreUseNeitherSparkNorDjl() {
    List<String> bad = new ArrayList<>();
    for (Source s : sources) {
      String shortName = shortName(s.pkg());
      for (String prefix : FORBIDDEN.getOrDefault(shortName, List.of())) {
        for (Ref r : s.refs()) {
          if (r.name().equals(prefix) || r.name().startsWith(prefix + ".")) {
            bad.add(s.file() + ":" + r.line() + " " + r.name());
          }
        }
      }
    }
    assertEquals(List.of(), bad, "config and core must stay plain Java (no Spark, no DJL): " + FORBIDDEN);
  }

  @Test
  void everyPackageImportsOnlyWhatItMay() {
    List<String> bad = new ArrayList<>();
    Map<String, Map<String, String>> evidence = evidence();
    for (String p : packages) {
      String shortName = shortName(p);
      Set<String> allowed = ALLOWED.get(shortName);
      if (allowed == null) {
        bad.add(p + " has no entry in ArchitectureTest.ALLOWED: add one, matching its package-info.java");
        continue;
      }
      for (Map.Entry<String, String> e : evidence.getOrDefault(p, Map.of()).entrySet()) {
        if (!allowed.contains(shortName(e.getKey()))) {
          bad.add(p + " -> " + e.getKey() + " (" + e.getValue() + "); it may import only " + new TreeSet<>(allowed));
        }
      }
    }
    assertEquals(List.of(), bad, "imports outside a package's allowed list");
  }

  @Test
  void packageInfoStatesTheAllowedImports() throws IOException {
    List<String> bad = new ArrayList<>();
    for (String p : packages) {
      Path info = dir(MAIN, p).resolve("package-info.java");
      Set<String> allowed = ALLOWED.get(shortName(p));
      if (!Files.exists(info) || allowed == null) {
        continue; // reported by the two tests above
      }
      Matcher m = MAY_IMPORT.matcher(Files.readString(info, StandardCharsets.UTF_8));
      if (!m.find()) {
        bad.add(info + ": no \"<p>May import: ...\" paragraph");
        continue;
      }
      Set<String> stated = new TreeSet<>();
      Matcher d = DVGS_PACKAGE.matcher(m.group(1));
      while (d.find()) {
        stated.add(d.group(1));
      }
      if (!stated.equals(new TreeSet<>(allowed))) {
        bad.add(info + " says " + stated + ", ArchitectureTest.ALLOWED says " + new TreeSet<>(allowed));
      }
    }
    assertEquals(List.of(), bad, "package-info.java and ArchitectureTest.ALLOWED disagree");
  }

  @Test
  void theCycleFinderFindsCycles() {
    // the checks above are only as good as this: a graph with a cycle must be caught, one without must pass
    Map<String, Set<String>> g = new TreeMap<>();
    g.put("a", Set.of("b"));
    g.put("b", Set.of("c"));
    g.put("c", Set.of("a", "d"));
    g.put("d", Set.of());
    assertEquals(List.of(List.of("a", "b", "c")), cycles(g));
    g.put("c", Set.of("d"));
    assertEquals(List.of(), cycles(g));
    g.put("c", Set.of("a", "d"));
    assertEquals(List.of("a", "b", "c", "a"), cycleThrough("a", g, Set.of("a", "b", "c")));
  }

  @Test
  void theParserSeesImportsAndQualifiedNamesButNotCommentsOrStrings() {
    String code = String.join("\n",
        "package org.dvgs.x;",
        "import org.dvgs.a.A;",
        "import static org.dvgs.b.B.f;",
        "import org.dvgs.c.*;",
        "/** {@link org.dvgs.y.Y} */",
        "class X {",
        "  // org.dvgs.z.Z",
        "  String s = \"org.dvgs.w.W\";",
        "  org.dvgs.d.D d = new org.dvgs.e.E();",
        "}");
    List<String> names = refs(code).stream().map(Ref::name).filter(n -> n.startsWith(ROOT)).toList();
    assertEquals(List.of("org.dvgs.a.A", "org.dvgs.b.B.f", "org.dvgs.c", "org.dvgs.d.D", "org.dvgs.e.E"), names);
  }

  /** Package -> packages it refers to. */
  private static Map<String, Set<String>> graph() {
    Map<String, Set<String>> g = new TreeMap<>();
    evidence().forEach((from, to) -> g.put(from, new TreeSet<>(to.keySet())));
    return g;
  }

  /** Package -> (package it refers to -> the first file and line that does). */
  private static Map<String, Map<String, String>> evidence() {
    Map<String, Map<String, String>> e = new TreeMap<>();
    for (Source s : sources) {
      Map<String, String> to = e.computeIfAbsent(s.pkg(), k -> new TreeMap<>());
      for (Ref r : s.refs()) {
        String target = owningPackage(r.name());
        if (target != null && !target.equals(s.pkg())) {
          to.putIfAbsent(target, s.file() + ":" + r.line());
        }
      }
    }
    return e;
  }

  /** The longest known main package that {@code name} lies in, or null. */
  private static String owningPackage(String name) {
    String best = null;
    for (String p : packages) {
      if ((name.equals(p) || name.startsWith(p + ".")) && (best == null || p.length() > best.length())) {
        best = p;
      }
    }
    return best;
  }

  /** A shortest path from {@code start} back to itself, within {@code component} (breadth first). */
  static List<String> cycleThrough(String start, Map<String, Set<String>> g, Set<String> component) {
    Map<String, String> parent = new LinkedHashMap<>();
    Deque<String> queue = new ArrayDeque<>(List.of(start));
    while (!queue.isEmpty()) {
      String v = queue.removeFirst();
      for (String w : new TreeSet<>(g.getOrDefault(v, Set.of()))) {
        if (!component.contains(w) || parent.containsKey(w)) {
          continue;
        }
        parent.put(w, v);
        if (w.equals(start)) {
          List<String> path = new ArrayList<>(List.of(start));
          for (String u = v; !u.equals(start); u = parent.get(u)) {
            path.add(0, u);
          }
          path.add(0, start);
          return path;
        }
        queue.addLast(w);
      }
    }
    return List.of(start);
  }

  /** The strongly connected components of more than one package (Tarjan), each sorted, in sorted order. */
  static List<List<String>> cycles(Map<String, Set<String>> g) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<List<String>> out = new ArrayList<>();
    int[] counter = {0};
    for (String v : new TreeSet<>(g.keySet())) {
      if (!index.containsKey(v)) {
        connect(v, g, index, low, stack, onStack, out, counter);
      }
    }
    out.sort((a, b) -> a.toString().compareTo(b.toString()));
    return out;
  }

  private static void connect(String v, Map<String, Set<String>> g, Map<String, Integer> index,
      Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<List<String>> out, int[] counter) {
    index.put(v, counter[0]);
    low.put(v, counter[0]);
    counter[0]++;
    stack.push(v);
    onStack.add(v);
    for (String w : new TreeSet<>(g.getOrDefault(v, Set.of()))) {
      if (!index.containsKey(w)) {
        connect(w, g, index, low, stack, onStack, out, counter);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      List<String> component = new ArrayList<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      if (component.size() > 1) {
        component.sort(null);
        out.add(component);
      }
    }
  }

  private static Source parse(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Matcher p = PACKAGE.matcher(blank(text));
    String pkg = p.find() ? p.group(1) : "";
    return new Source(file, pkg, refs(text));
  }

  /** Imports (a wildcard import counts as its package) and fully-qualified names in code. */
  static List<Ref> refs(String text) {
    String code = blank(text);
    List<Ref> refs = new ArrayList<>();
    Matcher i = IMPORT.matcher(code);
    int importsEnd = 0;
    while (i.find()) {
      refs.add(new Ref(i.group(1), line(code, i.start(1))));
      importsEnd = i.end();
    }
    Matcher q = QUALIFIED.matcher(code);
    q.region(importsEnd, code.length());
    while (q.find()) {
      refs.add(new Ref(q.group(1), line(code, q.start(1))));
    }
    return refs;
  }

  /** The source with comments and string and character literals replaced by spaces (line breaks kept). */
  static String blank(String s) {
    StringBuilder b = new StringBuilder(s);
    int n = s.length();
    int i = 0;
    while (i < n) {
      int end;
      if (s.startsWith("//", i)) {
        end = s.indexOf('\n', i);
        end = end < 0 ? n : end;
      } else if (s.startsWith("/*", i)) {
        end = s.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
      } else if (s.startsWith("\"\"\"", i)) {
        end = s.indexOf("\"\"\"", i + 3);
        end = end < 0 ? n : end + 3;
      } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
        char quote = s.charAt(i);
        end = i + 1;
        while (end < n && s.charAt(end) != quote && s.charAt(end) != '\n') {
          end += s.charAt(end) == '\\' ? 2 : 1;
        }
        end = Math.min(end + 1, n);
      } else {
        i++;
        continue;
      }
      for (int k = i; k < end; k++) {
        if (b.charAt(k) != '\n') {
          b.setCharAt(k, ' ');
        }
      }
      i = end;
    }
    return b.toString();
  }

  private static int line(String s, int offset) {
    int line = 1;
    for (int k = 0; k < offset; k++) {
      if (s.charAt(k) == '\n') {
        line++;
      }
    }
    return line;
  }

  private static List<Path> javaFiles(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(f -> f.toString().endsWith(".java") && !f.getFileName().toString().equals("package-info.java"))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path dir(Path root, String pkg) {
    return root.resolve(pkg.replace('.', '/'));
  }

  private static String shortName(String pkg) {
    return pkg.startsWith(ROOT + ".") ? pkg.substring(ROOT.length() + 1) : pkg;
  }
}
