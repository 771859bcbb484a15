package org.dvgs.output;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Versions of the software a run used. Each may be absent: results folders of early versions recorded some only.
 *
 * @param dvgsSpark dvgs-spark's implementation version ({@code "null"} when run from classes, not a jar)
 * @param spark Apache Spark
 * @param scala Scala library
 * @param java Java runtime
 * @param djl Deep Java Library
 * @param pytorch PyTorch native library
 * @param javaCompilers the JVM's just-in-time compilers ({@link #runningJavaCompilers()}): timings depend on them,
 *     values do not
 */
public record Versions(
    @MayBeAbsent String dvgsSpark,
    @MayBeAbsent String spark,
    @MayBeAbsent String scala,
    @MayBeAbsent String java,
    @MayBeAbsent String djl,
    @MayBeAbsent String pytorch,
    @MayBeAbsent String javaCompilers) {

  /**
   * The just-in-time compilers of this JVM, from its HotSpot options: {@code c1} (tiered compilation stopped before
   * C2, as {@code DVGS_JIT=quick} starts it), {@code c1+c2} (tiered, the JVM's default), {@code c2} (tiered
   * compilation off), {@code interpreter} ({@code TieredStopAtLevel=0}), or null on a VM that does not report them.
   */
  public static String runningJavaCompilers() {
    try {
      HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (vm == null) {
        return null;
      }
      return javaCompilers(vm.getVMOption("TieredCompilation").getValue(), vm.getVMOption("TieredStopAtLevel").getValue());
    } catch (RuntimeException e) {
      // Not HotSpot, or an option it does not have: the field is left out rather than guessed.
      return null;
    }
  }

  /** The compilers named by HotSpot's {@code TieredCompilation} and {@code TieredStopAtLevel} option values. */
  static String javaCompilers(String tieredCompilation, String tieredStopAtLevel) {
    if (!Boolean.parseBoolean(tieredCompilation)) {
      return "c2";
    }
    int level = Integer.parseInt(tieredStopAtLevel.trim());
    return level >= 4 ? "c1+c2" : level >= 1 ? "c1" : "interpreter";
  }
}
