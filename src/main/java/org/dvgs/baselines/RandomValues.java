package org.dvgs.baselines;

import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.SparkSession;
import org.dvgs.core.CanonicalRow;
import org.dvgs.core.Mix;
import java.util.Map;

/**
 * The floor every method must beat: each row gets a value drawn uniformly from [0, 1), from a hash of the seed and
 * its sample id, so the values do not depend on partitioning and the expected AUROC is 0.5.
 */
public final class RandomValues implements ValuationMethod {
  @Override
  public String name() {
    return "random";
  }

  @Override
  public MethodResult value(SparkSession spark, MethodContext ctx) {
    return new MethodResult(ctx.inputs().source().map(new Draw(ctx.seed())), Map.of());
  }

  private static final class Draw implements Function<CanonicalRow, SampleValue> {
    private static final long serialVersionUID = 1L;
    private final long seed;

    Draw(long seed) {
      this.seed = seed;
    }

    @Override
    public SampleValue call(CanonicalRow r) {
      return new SampleValue(r.id(), Mix.unit(Mix.mix(seed, 0x52414e444f4dL, Mix.hash(r.id()))), Double.NaN, 1, r.corrupted());
    }
  }
}
