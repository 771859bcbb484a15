package org.dvgs.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dvgs.config.OptimizerKind;
import org.dvgs.config.TrainingConfig;
import org.dvgs.model.ParameterSet;
import org.junit.jupiter.api.Test;

class AdamTest {
  @Test
  void twoStepsByHand() {
    // lr 0.1, p = 1, gradients 0.5 then -0.2.
    // Step 1: m = 0.05, v = 0.00025; m^ = 0.05 / 0.1 = 0.5, v^ = 0.00025 / 0.001 = 0.25;
    //         p = 1 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.9 (+2e-9).
    // Step 2: m = 0.9 * 0.05 - 0.1 * 0.2 = 0.025, v = 0.999 * 0.00025 + 0.001 * 0.04 = 0.00028975;
    //         m^ = 0.025 / 0.19, v^ = 0.00028975 / 0.001999; p = 0.9 - 0.1 * m^ / (sqrt(v^) + 1e-8) = 0.86543942.
    Adam adam = new Adam(0.1, 0);
    float[] p = {1f};
    adam.nextStep();
    adam.update(0, p, new float[] {0.5f});
    assertEquals(0.9, p[0], 1e-7);
    adam.nextStep();
    adam.update(0, p, new float[] {-0.2f});
    assertEquals(0.8654394181, p[0], 1e-6);
    assertEquals(2, adam.steps());
  }

  @Test
  void weightDecayIsAddedToTheGradient() {
    // g = 0 + 0.5 * 2 = 1; the first step moves by lr whatever the gradient's size: 2 - 0.01 = 1.99.
    Adam adam = new Adam(0.01, 0.5);
    float[] p = {2f};
    adam.nextStep();
    adam.update(0, p, new float[] {0f});
    assertEquals(1.99, p[0], 1e-6);
  }

  @Test
  void slotsKeepTheirOwnMoments() {
    Adam both = new Adam(0.1, 0);
    Adam alone = new Adam(0.1, 0);
    float[] a = {1f, -1f};
    float[] b = {3f};
    float[] a2 = a.clone();
    for (int step = 0; step < 3; step++) {
      both.nextStep();
      both.update(0, a, new float[] {0.5f, 0.25f});
      both.update(1, b, new float[] {-4f});
      alone.nextStep();
      alone.update(0, a2, new float[] {0.5f, 0.25f});
    }
    assertArrayEquals(a2, a, 0f);
    assertThrows(IllegalArgumentException.class, () -> both.update(1, new float[2], new float[2]));
    assertThrows(IllegalStateException.class, () -> new Adam(0.1, 0).update(0, new float[1], new float[1]));
  }

  @Test
  void optimizerStepsEveryLayerWithAdam() {
    TrainingConfig cfg = new TrainingConfig(OptimizerKind.ADAM, 0.1, 0, 0, 8, 1, 1, 1, "", 0);
    Optimizer opt = new Optimizer(cfg);
    ParameterSet params = new ParameterSet(new float[][] {{1f}}, new float[][] {{1f}});
    opt.step(params, new ParameterSet(new float[][] {{0.5f}}, new float[][] {{-0.5f}}));
    opt.step(params, new ParameterSet(new float[][] {{-0.2f}}, new float[][] {{0.2f}}));
    assertEquals(0.8654394181, params.weights()[0][0], 1e-6);
    // The bias saw the negated gradients: it mirrors the weight around 1.
    assertEquals(2 - 0.8654394181, params.biases()[0][0], 1e-6);
  }

  @Test
  void sgdWithMomentumByHand() {
    // lr 0.1, momentum 0.9: b = 1 then 0.9 + 1 = 1.9; p = 1 - 0.1 - 0.19 = 0.71.
    TrainingConfig cfg = new TrainingConfig(OptimizerKind.SGD, 0.1, 0.9, 0, 8, 1, 1, 1, "", 0);
    Optimizer opt = new Optimizer(cfg);
    ParameterSet params = new ParameterSet(new float[][] {{1f}}, new float[][] {{0f}});
    for (int i = 0; i < 2; i++) {
      opt.step(params, new ParameterSet(new float[][] {{1f}}, new float[][] {{0f}}));
    }
    assertEquals(0.71, params.weights()[0][0], 1e-6);
    assertEquals(0f, params.biases()[0][0], 0f);
  }
}
