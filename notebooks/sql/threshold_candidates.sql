-- Candidate filter thresholds: for each fraction of a run's rows to remove (lowest values first), the threshold
-- value (keep rows with value >= threshold) and how many rows that removes. Ties can make `removed` differ from
-- fraction x total. Parameters: run_id
WITH v AS (
  SELECT value, row_number() OVER (ORDER BY value, sample_id) AS k, count(*) OVER () AS total
  FROM dvgs_values
  WHERE run_id = :run_id
),
f AS (
  SELECT explode(array(0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)) AS fraction
),
t AS (
  -- The first kept row when floor(fraction x total) rows are removed.
  SELECT f.fraction, v.value AS threshold
  FROM f JOIN v ON v.k = CAST(floor(f.fraction * v.total) AS BIGINT) + 1
)
SELECT
  t.fraction,
  t.threshold,
  count_if(v.value < t.threshold)            AS removed,
  count(*)                                   AS total,
  count_if(v.value < t.threshold) / count(*) AS removed_fraction
FROM t CROSS JOIN v
GROUP BY t.fraction, t.threshold
ORDER BY t.fraction
