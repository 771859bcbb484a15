-- The n lowest-valued samples of a run with their metadata from the source table (likely mislabeled or noisy).
-- Parameters: run_id, n
SELECT *
FROM (
  SELECT sample_id, value, value_std, n_checkpoints FROM dvgs_values WHERE run_id = :run_id
) v
LEFT JOIN dvgs_source s USING (sample_id)
ORDER BY value ASC, sample_id
LIMIT :n
