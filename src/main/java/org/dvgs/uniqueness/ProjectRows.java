package org.dvgs.uniqueness;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.dvgs.config.DeviceKind;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.Mix;
import org.dvgs.model.Engines;
import org.dvgs.model.NetworkSpec;
import org.dvgs.model.ParameterSet;
import org.dvgs.scoring.ScoreBlock;

/**
 * Executor function: projects one partition's rows, batch by batch, with one {@link GradientProjector} per task (the
 * projection factors are regenerated from the seed, the parameters come from a broadcast).
 */
public final class ProjectRows implements FlatMapFunction<Iterator<CanonicalRow>, ProjectedRow> {
  private static final long serialVersionUID = 1L;
  private static final long ORDER_STREAM = 0x6f72646572L;

  private final NetworkSpec spec;
  private final Broadcast<ParameterSet> params;
  private final KroneckerProjection projection;
  private final int batchSize;
  private final long seed;
  private final DeviceKind device;
  private final int threads;
  private final boolean labels;

  /**
   * @param labels whether rows carry labels (classifier, regressor)
   */
  public ProjectRows(NetworkSpec spec, Broadcast<ParameterSet> params, KroneckerProjection projection, int batchSize, long seed,
      DeviceKind device, int threads, boolean labels) {
    this.spec = spec;
    this.params = params;
    this.projection = projection;
    this.batchSize = batchSize;
    this.seed = seed;
    this.device = device;
    this.threads = threads;
    this.labels = labels;
  }

  /** The selection order key of a sample id for a seed. */
  public static long order(long seed, String id) {
    return Mix.mix(Mix.mix(seed, ORDER_STREAM), Mix.hash(id));
  }

  @Override
  public Iterator<ProjectedRow> call(Iterator<CanonicalRow> rows) {
    if (!rows.hasNext()) {
      return java.util.Collections.emptyIterator();
    }
    Engines.threads(threads);
    int d = spec.inputWidth();
    int k = projection.k();
    List<ProjectedRow> out = new ArrayList<>();
    List<CanonicalRow> buf = new ArrayList<>(batchSize);
    try (GradientProjector gp = new GradientProjector(spec, params.value(), projection, Engines.device(device, ScoreBlock.assignedGpu()))) {
      while (rows.hasNext()) {
        buf.add(rows.next());
        if (buf.size() == batchSize || !rows.hasNext()) {
          int n = buf.size();
          float[] x = new float[n * d];
          float[] y = new float[n];
          for (int i = 0; i < n; i++) {
            CanonicalRow r = buf.get(i);
            System.arraycopy(r.features(), 0, x, i * d, d);
            y[i] = Double.isNaN(r.label()) ? 0f : (float) r.label();
          }
          float[] p = gp.project(x, y, n);
          for (int i = 0; i < n; i++) {
            CanonicalRow r = buf.get(i);
            out.add(ProjectedRow.of(r.id(), order(seed, r.id()), labels ? r.label() : Double.NaN, p, i * k, k));
          }
          buf.clear();
        }
      }
    }
    return out.iterator();
  }
}
