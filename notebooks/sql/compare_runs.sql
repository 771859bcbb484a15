-- How much two runs agree: samples in both, Pearson correlation of the values, Spearman correlation (of the percent
-- ranks), and the overlap of their lowest `fraction` (the share of run a's lowest rows that are also among run b's).
-- Parameters: run_a, run_b, fraction
WITH a AS (
  SELECT sample_id, value, percent_rank() OVER (ORDER BY value) AS pr FROM dvgs_values WHERE run_id = :run_a
),
b AS (
  SELECT sample_id, value, percent_rank() OVER (ORDER BY value) AS pr FROM dvgs_values WHERE run_id = :run_b
),
j AS (
  SELECT a.value AS value_a, b.value AS value_b, a.pr AS rank_a, b.pr AS rank_b FROM a JOIN b USING (sample_id)
)
SELECT
  count(*)                 AS n_common,
  corr(value_a, value_b)   AS pearson,
  corr(rank_a, rank_b)     AS spearman,
  count_if(rank_a < :fraction AND rank_b < :fraction) / nullif(count_if(rank_a < :fraction), 0) AS lowest_overlap
FROM j
