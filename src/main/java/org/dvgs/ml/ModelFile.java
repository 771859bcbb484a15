package org.dvgs.ml;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dvgs.output.MayBeNull;

/**
 * {@code model.json} of a saved {@link DvgsValuationModel}: everything but the Spark params (Spark's own metadata)
 * and the snapshots (their own files, checksummed). Read and written by {@link org.dvgs.output.ManifestCodec}, so a
 * missing or malformed field is named with its path.
 *
 * @param format {@link DvgsValuationModel#FORMAT}, checked on load
 * @param network the network spec as text, checked against the one the configuration gives
 * @param width feature width
 * @param classes classes of a classifier (0 otherwise)
 * @param fingerprint the training fingerprint of the snapshots
 * @param snapshotsPerRestart snapshots each restart contributes
 * @param snapshots snapshots saved, checked against the files read
 * @param scaler the fitted feature scaler
 * @param training one entry per restart
 * @param timings seconds by stage of the fit
 * @param config the full configuration the model was fitted with
 */
record ModelFile(
    String format,
    String network,
    int width,
    int classes,
    String fingerprint,
    long snapshotsPerRestart,
    long snapshots,
    ScalerBits scaler,
    List<Restart> training,
    Map<String, Double> timings,
    Map<String, Object> config) {

  /**
   * The scaler, its floats as IEEE bit patterns so that the loaded scaler is the saved one bit for bit.
   *
   * @param method the scaling method's enum name
   * @param shiftBits bit patterns of the per-feature shift
   * @param scaleBits bit patterns of the per-feature multiplier
   */
  record ScalerBits(String method, List<Integer> shiftBits, List<Integer> scaleBits) {
    static List<Integer> of(float[] v) {
      List<Integer> out = new ArrayList<>(v.length);
      for (float f : v) {
        out.add(Float.floatToRawIntBits(f));
      }
      return out;
    }

    static float[] floats(List<Integer> bits) {
      float[] out = new float[bits.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = Float.intBitsToFloat(bits.get(i));
      }
      return out;
    }
  }

  /**
   * One training restart as saved: {@link DvgsValuationSummary.Restart} with undefined losses (reused restarts)
   * written as {@code null}, since JSON has no NaN.
   *
   * @param restart restart index
   * @param reused whether its snapshots were reused from the checkpoint directory
   * @param snapshots snapshots it contributes
   * @param iterations optimizer steps
   * @param firstLoss target loss at its first step, or null
   * @param lastLoss target loss at its last step, or null
   * @param seconds training time
   */
  record Restart(int restart, boolean reused, long snapshots, long iterations, @MayBeNull Double firstLoss,
      @MayBeNull Double lastLoss, double seconds) {
    static Restart of(DvgsValuationSummary.Restart r) {
      return new Restart(r.restart(), r.reused(), r.snapshots(), r.iterations(), orNull(r.firstLoss()), orNull(r.lastLoss()), r.seconds());
    }

    DvgsValuationSummary.Restart toSummary() {
      return new DvgsValuationSummary.Restart(restart, reused, snapshots, iterations, orNaN(firstLoss), orNaN(lastLoss), seconds);
    }

    private static Double orNull(double v) {
      return Double.isNaN(v) ? null : v;
    }

    private static double orNaN(Double v) {
      return v == null ? Double.NaN : v;
    }
  }
}
