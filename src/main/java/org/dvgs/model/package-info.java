/**
 * The network and its parameters: {@link org.dvgs.model.NetworkSpec} (architecture), {@link org.dvgs.model.Network}
 * (a DJL/PyTorch forward pass), {@link org.dvgs.model.ParameterSet} and {@link org.dvgs.model.Snapshot} (plain-float
 * parameters that can be broadcast) with {@link org.dvgs.model.SnapshotCodec}, losses, autograd and tensor helpers,
 * and {@link org.dvgs.model.Engines} (engine, device and threads).
 *
 * <p>Shared by the driver (training) and the executors (scoring), so it knows neither.
 *
 * <p>May import: {@code org.dvgs.config}, {@code org.dvgs.core}.
 */
package org.dvgs.model;
