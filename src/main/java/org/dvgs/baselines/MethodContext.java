package org.dvgs.baselines;

import ai.djl.Device;
import org.dvgs.config.BaselinesConfig;
import org.dvgs.config.ModelConfig;
import org.dvgs.config.Task;
import org.dvgs.config.TrainingConfig;
import org.dvgs.io.LoadedInputs;
import org.dvgs.model.NetworkSpec;

/**
 * Everything a valuation method gets for one seed of an experiment.
 *
 * @param inputs the prepared inputs: the scaled target set on the driver (the trusted validation data every method
 *     measures utility on) and the valid, corrupted, scaled source rows to value
 * @param spec the valuation network's shape for these inputs (width, classes, task)
 * @param model the model section of the configuration
 * @param training the training section (methods that train networks start from these settings)
 * @param config the baselines section
 * @param seed the experiment seed; everything random in a method derives from it
 * @param device where DJL computes on the driver
 */
public record MethodContext(
    LoadedInputs inputs, NetworkSpec spec, ModelConfig model, TrainingConfig training, BaselinesConfig config, long seed, Device device) {

  public Task task() {
    return model.task();
  }
}
