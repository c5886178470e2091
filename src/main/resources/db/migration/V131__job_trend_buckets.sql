-- Issue 17: the dashboard's 30-day trend from pre-aggregated counts instead of the tenant's job rows.
--
-- job_trend_bucket holds, per tenant, how many jobs started in each 15-minute UTC bucket, by status and by
-- duration (whole seconds; -1 for a job not finished). Every time zone in use today is offset from UTC by a
-- multiple of 15 minutes, so the jobs of any day of any zone (including +05:30 and +05:45) are exactly the
-- buckets that start within that day: a tenant's zone can change without rebuilding anything.
--
-- Kept by PostgreSQL itself, independent of the Java code that writes jobs: statement-level AFTER triggers on
-- job read the statement's transition tables and APPEND one delta row per (tenant, bucket, status, duration)
-- that changed (+n for rows that appeared in it, -n for rows that left it). A job that finishes days later,
-- a replayed old event, a retention delete, a cascade: each is a statement on job, so each is counted.
-- Appending never updates a shared counter row, so concurrent ingestion transactions never wait for each
-- other here. job.service.TrendCompaction merges the deltas of a key into one row (merged = true) every
-- 30 s and drops keys whose sum is zero. The trend sums a key's rows, merged or not, so it is exact at any
-- time, before or after a compaction.

CREATE TABLE job_trend_bucket (
    tenant_id   varchar(36) NOT NULL,
    -- Start of the 15-minute UTC bucket of job.started_at (jobs without a start are not counted).
    bucket      timestamptz NOT NULL,
    status      varchar(16) NOT NULL,
    -- finished_at - started_at for a job with a status other than RUNNING and a finish time, rounded down:
    -- whole seconds under an hour, whole minutes (in seconds) under a day, whole hours beyond (at most 2e9); -1 otherwise.
    duration_s  integer     NOT NULL,
    jobs        bigint      NOT NULL,
    merged      boolean     NOT NULL DEFAULT false
);
CREATE INDEX job_trend_bucket_idx ON job_trend_bucket (tenant_id, bucket, status, duration_s) INCLUDE (jobs);
CREATE INDEX job_trend_bucket_fresh_idx ON job_trend_bucket (tenant_id, bucket) WHERE NOT merged;

ALTER TABLE job_trend_bucket ENABLE ROW LEVEL SECURITY;
ALTER TABLE job_trend_bucket FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON job_trend_bucket USING (fleethook_tenant_visible(tenant_id))
    WITH CHECK (fleethook_tenant_visible(tenant_id));

-- The bucket of a start time: 15-minute bins from the Unix epoch (date_bin: PostgreSQL 14 or later).
CREATE FUNCTION job_trend_bin(started timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT date_bin('15 minutes', started, timestamptz '1970-01-01 00:00:00+00') $$;

-- The duration class of a job (see duration_s above).
CREATE FUNCTION job_trend_duration(status varchar, started timestamptz, finished timestamptz) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN status = 'RUNNING' OR finished IS NULL OR started IS NULL THEN -1
                      ELSE (SELECT CASE WHEN s < 3600 THEN s WHEN s < 86400 THEN s / 60 * 60 ELSE s / 3600 * 3600 END
                              FROM (SELECT least(greatest(0, floor(extract(epoch FROM finished - started))), 2000000000)::integer AS s) d)
                 END $$;

CREATE FUNCTION job_trend_track() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO job_trend_bucket (tenant_id, bucket, status, duration_s, jobs)
        SELECT tenant_id, job_trend_bin(started_at), status, job_trend_duration(status, started_at, finished_at), count(*)
          FROM new_jobs WHERE started_at IS NOT NULL
         GROUP BY 1, 2, 3, 4;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO job_trend_bucket (tenant_id, bucket, status, duration_s, jobs)
        SELECT tenant_id, job_trend_bin(started_at), status, job_trend_duration(status, started_at, finished_at), -count(*)
          FROM old_jobs WHERE started_at IS NOT NULL
         GROUP BY 1, 2, 3, 4;
    ELSE
        -- Rows whose key did not change cancel out: most updates (attempt counts, updated_at) append nothing.
        INSERT INTO job_trend_bucket (tenant_id, bucket, status, duration_s, jobs)
        SELECT tenant_id, bucket, status, duration_s, sum(n)
          FROM (SELECT tenant_id, job_trend_bin(started_at) AS bucket, status,
                       job_trend_duration(status, started_at, finished_at) AS duration_s, -1 AS n
                  FROM old_jobs WHERE started_at IS NOT NULL
                UNION ALL
                SELECT tenant_id, job_trend_bin(started_at), status,
                       job_trend_duration(status, started_at, finished_at), 1
                  FROM new_jobs WHERE started_at IS NOT NULL) AS d
         GROUP BY 1, 2, 3, 4
        HAVING sum(n) <> 0;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER job_trend_insert AFTER INSERT ON job REFERENCING NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION job_trend_track();
CREATE TRIGGER job_trend_update AFTER UPDATE ON job REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION job_trend_track();
CREATE TRIGGER job_trend_delete AFTER DELETE ON job REFERENCING OLD TABLE AS old_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION job_trend_track();

-- TRUNCATE fires no row triggers: it empties job, so it empties the trend too.
CREATE FUNCTION job_trend_truncate() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM job_trend_bucket;
    RETURN NULL;
END $$;
CREATE TRIGGER job_trend_truncate AFTER TRUNCATE ON job FOR EACH STATEMENT EXECUTE FUNCTION job_trend_truncate();

-- The jobs already stored (Flyway runs with fleethook.cross_tenant = 'on').
INSERT INTO job_trend_bucket (tenant_id, bucket, status, duration_s, jobs, merged)
SELECT tenant_id, job_trend_bin(started_at), status, job_trend_duration(status, started_at, finished_at), count(*), true
  FROM job WHERE started_at IS NOT NULL
 GROUP BY 1, 2, 3, 4;
