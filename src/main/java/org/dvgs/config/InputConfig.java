package org.dvgs.config;

/**
 * Where the source and target come from, and how features are scaled.
 *
 * @param source the table to value
 * @param target the trusted table the model is trained on (unused when {@code splitMode != NONE})
 * @param splitMode how the source table is split when no separate target table is given
 * @param splitFraction fraction of rows taken as target in {@link SplitMode#FRACTION}
 * @param splitColumn column deciding target rows in {@link SplitMode#COLUMN}
 * @param splitTargetValue value of {@code splitColumn} that marks target rows
 * @param scaling feature scaling method
 * @param scalingFit which rows the scaler is fitted on
 * @param balanced settings of {@link SplitMode#GROUP_BALANCED}
 */
public record InputConfig(
    TableConfig source,
    TableConfig target,
    SplitMode splitMode,
    double splitFraction,
    String splitColumn,
    String splitTargetValue,
    ScalingMethod scaling,
    ScalingFit scalingFit,
    BalancedSplit balanced) {

  /**
   * The paper's preparation of L1000 signatures: hold out a test set, sample the target with weights balancing
   * perturbations, value the rest.
   *
   * @param groupColumn the group of a row (e.g. pert_id: weights 1 / signatures per compound)
   * @param targetSize target rows to sample
   * @param testFraction fraction of rows held out as the test set (seeded hash of the sample id), excluded from
   *     target and source
   */
  public record BalancedSplit(String groupColumn, int targetSize, double testFraction) {}

  static InputConfig from(Keys k) {
    Keys split = k.section("split");
    Keys scaling = k.section("scaling");
    InputConfig c =
        new InputConfig(
            TableConfig.from(k.section("source")),
            TableConfig.from(k.section("target")),
            split.enumValue("mode", SplitMode.class),
            split.number("fraction"),
            split.string("column").trim(),
            split.string("target-value"),
            scaling.enumValue("method", ScalingMethod.class),
            scaling.enumValue("fit-on", ScalingFit.class),
            new BalancedSplit(
                split.string("group-column").trim(), split.positiveInt("target-size"), split.inRange("test-fraction", 0.0, 1.0, false)));
    if (c.splitMode == SplitMode.GROUP_BALANCED && c.balanced.groupColumn().isEmpty()) {
      throw new ConfigValidationException(split.full("group-column") + " must be set when split.mode = group-balanced");
    }
    if (c.splitMode == SplitMode.GROUP_BALANCED && c.source.idColumn().isEmpty()) {
      throw new ConfigValidationException(
          k.full("source.id-column") + " must be set when split.mode = group-balanced (the held-out test set and the"
              + " target sample are drawn by sample id)");
    }
    if (c.splitMode == SplitMode.FRACTION && !(c.splitFraction > 0 && c.splitFraction < 1)) {
      throw new ConfigValidationException(split.full("fraction") + " must be in (0, 1), got " + c.splitFraction);
    }
    if (c.splitMode == SplitMode.COLUMN && c.splitColumn.isEmpty()) {
      throw new ConfigValidationException(split.full("column") + " must be set when split.mode = column");
    }
    if (c.splitMode != SplitMode.NONE && c.target.isSet()) {
      throw new ConfigValidationException(
          k.full("target.path") + " is set but " + split.full("mode") + " = " + Keys.kebab(c.splitMode)
              + " takes the target from the source table; set one of them");
    }
    return c;
  }

  /** Checks that the tables a valuation needs are configured. */
  public void requirePaths() {
    if (!source.isSet()) {
      throw new ConfigValidationException("dvgs.input.source.path is empty: set the table to value");
    }
    if (splitMode == SplitMode.NONE && !target.isSet()) {
      throw new ConfigValidationException(
          "dvgs.input.target.path is empty: set the trusted target table, or dvgs.input.split.mode");
    }
  }
}
