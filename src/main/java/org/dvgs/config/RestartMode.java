package org.dvgs.config;

/**
 * How the restarts that driver training has to train are run. Written in configs in kebab case.
 *
 * <ul>
 *   <li>{@code BATCHED}: all of them together as one stacked network on one thread, one forward and one backward
 *       pass per step for every restart; the snapshots equal those of training each alone to float round-off.
 *   <li>{@code PARALLEL}: each alone on its own thread, up to one per core at once (the reference path).
 * </ul>
 */
public enum RestartMode {
  BATCHED, PARALLEL
}
