-- The cleaned data set: the source rows whose value in a run is at least the threshold, with the source's own
-- columns. Rows the job rejected (no value) are left out too. Parameters: run_id, threshold
SELECT *
FROM dvgs_source s
LEFT SEMI JOIN (
  SELECT sample_id FROM dvgs_values WHERE run_id = :run_id AND value >= :threshold
) v
ON s.sample_id = v.sample_id
