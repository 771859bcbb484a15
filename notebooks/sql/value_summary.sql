-- Distribution of one run's values: count, mean, spread and quantiles.
-- Parameters: run_id
SELECT
  count(*)                AS n,
  avg(value)              AS mean,
  stddev_samp(value)      AS std,
  min(value)              AS min,
  percentile(value, 0.01) AS p01,
  percentile(value, 0.05) AS p05,
  percentile(value, 0.25) AS p25,
  percentile(value, 0.5)  AS median,
  percentile(value, 0.75) AS p75,
  percentile(value, 0.95) AS p95,
  max(value)              AS max,
  avg(value_std)          AS mean_value_std
FROM dvgs_values
WHERE run_id = :run_id
