package org.dvgs.cli;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.config.DvgsConfig;

/**
 * The arguments every command takes, as parsed from the command line: {@code --config FILE}, {@code --output DIR},
 * {@code --input PATH}, key overrides ({@code --set key=value} or bare {@code key=value}; the {@code dvgs.} prefix is
 * optional), {@code --overwrite} (= {@code output.overwrite=true}), and the ingest shorthands {@code --genes FILE}
 * and {@code --level4 FILE}.
 *
 * @param configFile the configuration file ({@code --config}), or null
 * @param output the output directory (or, for {@code report}, file), or null
 * @param input the input (for {@code report} and {@code ingest}), or null
 * @param overrides key overrides in the order given
 * @param help whether {@code --help} was among the arguments (parsing stops there)
 */
record Arguments(File configFile, String output, String input, List<String> overrides, boolean help) {
  /** How a command turns its file and overrides into a configuration. */
  interface Loader {
    DvgsConfig load(File file, List<String> overrides);
  }

  /**
   * Parses {@code args} from index {@code from} (after the command name).
   *
   * @param usage the usage text an unknown argument is reported with
   */
  static Arguments parse(String[] args, int from, String usage) {
    File config = null;
    String output = null;
    String input = null;
    List<String> overrides = new ArrayList<>();
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--config", "-c" -> config = new File(value(args, ++i, a));
        case "--output", "-o" -> output = value(args, ++i, a);
        case "--input", "-i" -> input = value(args, ++i, a);
        case "--set" -> overrides.add(value(args, ++i, a));
        case "--overwrite" -> overrides.add("output.overwrite=true");
        case "--genes" -> overrides.add("ingest.genes.ids-file=" + quote(value(args, ++i, a)));
        case "--level4" -> overrides.add("ingest.level4=" + quote(value(args, ++i, a)));
        case "--help", "-h" -> {
          return new Arguments(config, output, input, overrides, true);
        }
        default -> {
          if (a.startsWith("--") || !a.contains("=")) {
            throw new ConfigValidationException("unknown argument '" + a + "'\n" + usage);
          }
          overrides.add(a);
        }
      }
    }
    return new Arguments(config, output, input, List.copyOf(overrides), false);
  }

  /** The configuration of a command that takes no {@code --input}: file, overrides, then {@code --output}; paths checked. */
  DvgsConfig config() {
    return config(DvgsConfig::load, null);
  }

  /**
   * The configuration: the file, the overrides, then {@code --input} as {@code inputKey} (refused when
   * {@code inputKey} is null) and {@code --output} as {@code output.path}; every configured path checked.
   */
  DvgsConfig config(Loader loader, String inputKey) {
    List<String> all = new ArrayList<>(overrides);
    if (input != null && inputKey != null) {
      all.add(inputKey + "=" + quote(input));
    } else if (input != null) {
      throw new ConfigValidationException("--input is only for the report and ingest commands");
    }
    if (output != null) {
      all.add("output.path=" + quote(output));
    }
    DvgsConfig cfg = loader.load(configFile, all);
    checkPaths(cfg);
    return cfg;
  }

  /**
   * Every configured path must parse as a Hadoop path or URI: a value such as {@code run:1} (read as scheme
   * {@code run}) is a config error naming its key, not an internal error deep inside a run.
   */
  static void checkPaths(DvgsConfig cfg) {
    Map<String, String> paths = new LinkedHashMap<>();
    paths.put("output.path", cfg.output().path());
    paths.put("input.source.path", cfg.input().source().path());
    paths.put("input.target.path", cfg.input().target().path());
    paths.put("evaluation.test.table.path", cfg.evaluation().test().table().path());
    paths.put("training.checkpoint-dir", cfg.training().checkpointDir());
    paths.put("unique.snapshot-dir", cfg.unique().snapshotDir());
    paths.put("ingest.input", cfg.ingest().input());
    paths.put("ingest.level4", cfg.ingest().level4());
    paths.put("ingest.genes.ids-file", cfg.ingest().genesIdsFile());
    paths.put("ingest.genes.info-file", cfg.ingest().genesInfoFile());
    for (Map.Entry<String, String> e : paths.entrySet()) {
      String v = e.getValue();
      if (v == null || v.isEmpty()) {
        continue;
      }
      try {
        new Path(v);
      } catch (IllegalArgumentException bad) {
        throw new ConfigValidationException(
            "dvgs." + e.getKey() + " = \"" + v + "\" is not a valid path or URI: " + (bad.getCause() != null ? bad.getCause().getMessage() : bad.getMessage()));
      }
    }
  }

  /** {@code s} as a quoted HOCON string. */
  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new ConfigValidationException(flag + " needs a value");
    }
    return args[i];
  }
}
