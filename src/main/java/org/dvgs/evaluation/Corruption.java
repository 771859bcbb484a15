package org.dvgs.evaluation;

import java.io.Serializable;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.PairFunction;
import org.dvgs.config.ConfigValidationException;
import org.dvgs.core.CanonicalRow;
import org.dvgs.io.HashSelection;
import org.dvgs.io.InputLoader;
import org.dvgs.core.Mix;
import scala.Tuple2;

/**
 * The paper's corruption protocol as a source transform, seeded and recorded per row.
 *
 * <ol>
 *   <li>Optionally sample {@code sampleSize} rows of the valid source.
 *   <li>Label corruption of {@code round(flipFraction * n)} rows, before scaling. Classifier: each gets a uniformly
 *       drawn <em>different</em> class, or (pairs mode, asymmetric noise) the class {@code (c + 1) mod K}. Regressor (the equivalent used here): the corrupted rows, taken in a seeded
 *       random order, pass their targets on in a cycle, so each gets the target of another corrupted row; the
 *       corrupted targets keep the distribution of the clean ones, and a row keeps its own value only when it ties
 *       with its neighbour's.
 *   <li>Gaussian feature noise after scaling (on the model's scale, as the paper adds it): each of
 *       {@code round(noiseFraction * n)} rows (all when the fraction is 1) draws a rate
 *       {@code sigma_i ~ U(0, sigmaMax)} and gets {@code x_i += sigma_i * N(0, I)}.
 * </ol>
 *
 * <p>Every choice is a seeded hash of the sample id, so it does not depend on partitioning, and {@link #truth()}
 * can recompute each row's ground truth (label corrupted, noise rate) from its id alone. Rows that get either kind
 * of corruption carry {@code corrupted = true}.
 */
public final class Corruption implements InputLoader.SourceTransform {
  private final long seed;
  private final int sampleSize;
  private final double flipFraction;
  private final double sigmaMax;
  private final double noiseFraction;
  private final boolean pairs;
  private final long sampleStream;
  private final long flipStream;
  private final long noiseStream;
  private long sampleThreshold = -1;
  private long flipThreshold;
  private long noiseThreshold = -1;
  private long sampled = -1;
  private long flipped = -1;
  private long noisy = -1;

  /**
   * @param seed the experiment seed
   * @param sampleSize rows sampled from the valid source (0 = all)
   * @param flipFraction fraction of sampled rows whose label is corrupted, in [0, 1)
   * @param sigmaMax largest feature noise rate (0 = none)
   * @param noiseFraction fraction of sampled rows with feature noise, in (0, 1]
   */
  public Corruption(long seed, int sampleSize, double flipFraction, double sigmaMax, double noiseFraction) {
    this(seed, sampleSize, flipFraction, sigmaMax, noiseFraction, false);
  }

  /**
   * @param pairs asymmetric label noise: every flipped row of class {@code c} gets class {@code (c + 1) mod K}
   *     instead of a uniformly drawn different class (classifier; the same rows are flipped either way)
   */
  public Corruption(long seed, int sampleSize, double flipFraction, double sigmaMax, double noiseFraction, boolean pairs) {
    this.pairs = pairs;
    this.seed = seed;
    this.sampleSize = sampleSize;
    this.flipFraction = flipFraction;
    this.sigmaMax = sigmaMax;
    this.noiseFraction = noiseFraction;
    this.sampleStream = Mix.mix(seed, 0x73616d706cL);
    this.flipStream = Mix.mix(seed, 0x666c6970L);
    this.noiseStream = Mix.mix(seed, 0x6e6f697365L);
  }

  /** Label corruption only (no feature noise). */
  public static Corruption labels(long seed, int sampleSize, double flipFraction) {
    return new Corruption(seed, sampleSize, flipFraction, 0, 1);
  }

  @Override
  public JavaRDD<CanonicalRow> apply(JavaRDD<CanonicalRow> valid, int numClasses) {
    JavaRDD<CanonicalRow> pool = valid;
    long n;
    if (sampleSize > 0) {
      List<Long> smallest = HashSelection.smallestKeys(valid, sampleStream, sampleSize);
      if (smallest.size() < sampleSize) {
        throw new ConfigValidationException(
            "dvgs.evaluation.source-sample-size = " + sampleSize + " but the source has only " + smallest.size() + " valid rows");
      }
      sampleThreshold = smallest.get(smallest.size() - 1);
      pool = HashSelection.filter(valid, sampleStream, sampleThreshold, true);
      n = sampleSize;
    } else {
      n = valid.count();
    }
    sampled = n;
    long flips = Math.round(flipFraction * n);
    flipped = flips;
    flipThreshold = HashSelection.kthKey(pool, flipStream, flips);
    if (sigmaMax > 0) {
      noisy = noiseFraction >= 1 ? n : Math.round(noiseFraction * n);
      noiseThreshold = noiseFraction >= 1 ? -1 : HashSelection.kthKey(pool, noiseStream, noisy);
    } else {
      noisy = 0;
    }
    if (flips == 0) {
      return pool;
    }
    if (numClasses >= 2) {
      return pool.map(new FlipClass(flipStream, flipThreshold, numClasses, pairs));
    }
    if (pairs) {
      throw new ConfigValidationException("dvgs.evaluation.label-flip-mode = pairs needs classes; a regressor's targets are swapped (uniform)");
    }
    // Regressor: a cyclic shift of targets among the corrupted rows, in flip-key order.
    JavaRDD<CanonicalRow> clean = HashSelection.filter(pool, flipStream, flipThreshold, false);
    JavaPairRDD<Long, CanonicalRow> indexed =
        HashSelection.filter(pool, flipStream, flipThreshold, true)
            .sortBy(new SortKey(flipStream), true, Math.max(1, pool.getNumPartitions()))
            .zipWithIndex()
            .mapToPair(new Swap());
    JavaPairRDD<Long, Double> passedOn = indexed.mapToPair(new NextTarget(flips));
    JavaRDD<CanonicalRow> relabelled = indexed.join(passedOn).values().map(new Relabel());
    return clean.union(relabelled);
  }

  @Override
  public JavaRDD<CanonicalRow> afterScaling(JavaRDD<CanonicalRow> scaled) {
    return sigmaMax > 0 ? scaled.map(new AddNoise(truth())) : scaled;
  }

  /** Per-row ground truth, computed from the sample id (valid after {@link #apply}). */
  public Truth truth() {
    if (sampled < 0) {
      throw new IllegalStateException("apply() has not run");
    }
    return new Truth(flipStream, flipped > 0 ? flipThreshold : null, sigmaMax, noiseStream, noiseThreshold);
  }

  /**
   * The valid source rows left out of the sample, {@code size} of them drawn by a seeded hash (0 = all): a held-out
   * test set disjoint from the valued rows. Needs a sample ({@code sampleSize > 0}) and {@link #apply} first.
   */
  public JavaRDD<CanonicalRow> remainder(JavaRDD<CanonicalRow> valid, int size) {
    if (sampled < 0) {
      throw new IllegalStateException("apply() has not run");
    }
    if (sampleSize == 0) {
      throw new IllegalStateException("no sample was drawn, so there is no remainder");
    }
    JavaRDD<CanonicalRow> rest = HashSelection.filter(valid, sampleStream, sampleThreshold, false);
    if (size <= 0) {
      return rest;
    }
    long stream = Mix.mix(seed, 0x74657374L);
    long threshold = HashSelection.kthKey(rest, stream, size);
    return HashSelection.filter(rest, stream, threshold, true);
  }

  /** Rows kept by the sampling step (after {@link #apply}). */
  public long sampled() {
    return sampled;
  }

  /** Rows whose label was corrupted (after {@link #apply}). */
  public long flipped() {
    return flipped;
  }

  /** Rows with feature noise (after {@link #apply}). */
  public long noisy() {
    return noisy;
  }

  /**
   * Ground truth of one experiment, recomputable from a sample id on any executor.
   *
   * @param flipStream hash stream of the label corruption
   * @param flipThreshold rows whose flip key is at most this (unsigned) were corrupted; null when none was
   * @param sigmaMax largest noise rate (0 = none)
   * @param noiseStream hash stream of the feature noise
   * @param noiseThreshold rows whose noise key is at most this (unsigned) got noise; -1 = every row
   */
  public record Truth(long flipStream, Long flipThreshold, double sigmaMax, long noiseStream, long noiseThreshold)
      implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Whether the row's label was corrupted. */
    public boolean labelFlipped(String id) {
      return flipThreshold != null && HashSelection.atMost(flipStream, flipThreshold, id);
    }

    /** The row's feature noise rate sigma_i (0 when it got none). */
    public double noiseRate(String id) {
      if (sigmaMax <= 0) {
        return 0;
      }
      long h = Mix.hash(id);
      if (noiseThreshold != -1 && Long.compareUnsigned(Mix.mix(noiseStream, h), noiseThreshold) > 0) {
        return 0;
      }
      return sigmaMax * Mix.unit(Mix.mix(noiseStream ^ 0x72617465L, h));
    }

    /** The noise vector's seed for a row. */
    long noiseSeed(String id) {
      return Mix.mix(noiseStream ^ 0x67617573L, Mix.hash(id));
    }
  }

  // Executor functions: named and static so that each states what it captures.

  /** Signed-comparable form of the unsigned flip key, for {@code sortBy}. */
  private static final class SortKey implements Function<CanonicalRow, Long> {
    private static final long serialVersionUID = 1L;
    private final long stream;

    SortKey(long stream) {
      this.stream = stream;
    }

    @Override
    public Long call(CanonicalRow r) {
      return HashSelection.key(stream, r.id()) ^ Long.MIN_VALUE;
    }
  }

  private static final class FlipClass implements Function<CanonicalRow, CanonicalRow> {
    private static final long serialVersionUID = 1L;
    private final long stream;
    private final long threshold;
    private final int classes;
    private final boolean pairs;

    FlipClass(long stream, long threshold, int classes, boolean pairs) {
      this.stream = stream;
      this.threshold = threshold;
      this.classes = classes;
      this.pairs = pairs;
    }

    @Override
    public CanonicalRow call(CanonicalRow r) {
      long h = Mix.hash(r.id());
      if (!HashSelection.atMost(stream, threshold, r.id())) {
        return r;
      }
      int y = (int) r.label();
      int shift = pairs ? 1 : 1 + (int) (Mix.unit(Mix.mix(stream ^ 0x5eedL, h)) * (classes - 1));
      return r.withLabel((y + shift) % classes, true);
    }
  }

  private static final class Swap implements PairFunction<Tuple2<CanonicalRow, Long>, Long, CanonicalRow> {
    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<Long, CanonicalRow> call(Tuple2<CanonicalRow, Long> t) {
      return new Tuple2<>(t._2(), t._1());
    }
  }

  /** Row {@code i} passes its target to row {@code i + 1 (mod n)}. */
  private static final class NextTarget implements PairFunction<Tuple2<Long, CanonicalRow>, Long, Double> {
    private static final long serialVersionUID = 1L;
    private final long n;

    NextTarget(long n) {
      this.n = n;
    }

    @Override
    public Tuple2<Long, Double> call(Tuple2<Long, CanonicalRow> t) {
      return new Tuple2<>((t._1() + 1) % n, t._2().label());
    }
  }

  private static final class Relabel implements Function<Tuple2<CanonicalRow, Double>, CanonicalRow> {
    private static final long serialVersionUID = 1L;

    @Override
    public CanonicalRow call(Tuple2<CanonicalRow, Double> t) {
      return t._1().withLabel(t._2(), true);
    }
  }

  private static final class AddNoise implements Function<CanonicalRow, CanonicalRow> {
    private static final long serialVersionUID = 1L;
    private final Truth truth;

    AddNoise(Truth truth) {
      this.truth = truth;
    }

    @Override
    public CanonicalRow call(CanonicalRow r) {
      double rate = truth.noiseRate(r.id());
      if (rate <= 0) {
        return r;
      }
      SplittableRandom rnd = new SplittableRandom(truth.noiseSeed(r.id()));
      float[] x = r.features().clone();
      for (int j = 0; j < x.length; j++) {
        x[j] += (float) (rate * rnd.nextGaussian());
      }
      return new CanonicalRow(r.id(), x, r.label(), r.reason(), true, r.target());
    }
  }
}
