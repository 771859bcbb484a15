-- Two runs side by side, one row per sample valued by both: values and percent ranks (0 = lowest value) in each.
-- Ties take their lowest rank. Parameters: run_a, run_b
WITH a AS (
  SELECT sample_id, value, percent_rank() OVER (ORDER BY value) AS pr FROM dvgs_values WHERE run_id = :run_a
),
b AS (
  SELECT sample_id, value, percent_rank() OVER (ORDER BY value) AS pr FROM dvgs_values WHERE run_id = :run_b
)
SELECT
  sample_id,
  a.value AS value_a,
  b.value AS value_b,
  a.pr    AS rank_a,
  b.pr    AS rank_b,
  b.pr - a.pr AS rank_change
FROM a JOIN b USING (sample_id)
