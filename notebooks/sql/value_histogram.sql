-- Histogram of one run's values: `bins` equal-width buckets between the smallest and the largest value.
-- Parameters: run_id, bins
WITH v AS (
  SELECT value FROM dvgs_values WHERE run_id = :run_id
),
r AS (
  SELECT min(value) AS lo, max(value) AS hi FROM v
),
b AS (
  -- width_bucket puts the maximum itself in bucket bins + 1: fold it into the last bucket.
  SELECT least(width_bucket(v.value, r.lo, r.hi, :bins), :bins) AS bucket, r.lo, r.hi
  FROM v CROSS JOIN r
)
SELECT
  bucket,
  first(lo) + (bucket - 1) * (first(hi) - first(lo)) / :bins AS bucket_start,
  first(lo) + bucket * (first(hi) - first(lo)) / :bins       AS bucket_end,
  count(*)                                                   AS n
FROM b
GROUP BY bucket
ORDER BY bucket
