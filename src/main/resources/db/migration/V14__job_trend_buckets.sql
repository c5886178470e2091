-- Issue 17: the dashboard's 30-day trend from pre-aggregated counts instead of the tenant's job rows.
--
-- Per tenant, how many jobs started in each 15-minute UTC bucket, by status and by duration class. Every
-- time zone in use today is offset from UTC by a multiple of 15 minutes, so the jobs of any day of any zone
-- (India +05:30 and Nepal +05:45 included) are exactly the buckets that start within that day: a tenant's
-- zone can change without rebuilding anything.
--
-- Kept by PostgreSQL itself, independent of the Java code that writes jobs: triggers on job APPEND delta
-- rows to job_trend_delta (-1 for the key a job left, +1 for the key it entered). A job that finishes days
-- later, a replayed old event, the abandoned-job detector, a retention delete, a cascade: each changes job,
-- so each is counted. Appending never updates a shared row, so concurrent ingestion transactions never wait
-- for each other here, and job_trend_delta has no index, so an append is one heap insert.
-- job.service.TrendCompaction moves the deltas into job_trend_bucket (one row per key) every 30 s. The trend
-- sums both tables, so it is exact at any time, before or after a compaction.

-- The key of a job: see duration_s below. Jobs without a start are not counted.
CREATE TABLE job_trend_bucket (
    tenant_id   varchar(36) NOT NULL,
    -- Start of the 15-minute UTC bucket of job.started_at.
    bucket      timestamptz NOT NULL,
    status      varchar(16) NOT NULL,
    -- finished_at - started_at for a job with a status other than RUNNING and a finish time, rounded down:
    -- whole seconds under an hour, whole minutes (in seconds) under a day, whole hours beyond (at most 2e9);
    -- -1 for a job not finished.
    duration_s  integer     NOT NULL,
    jobs        bigint      NOT NULL,
    -- The dashboard reads a tenant's 30 days along this index alone (jobs included: index-only scans).
    PRIMARY KEY (tenant_id, bucket, status, duration_s) INCLUDE (jobs)
);
-- Keys whose jobs all moved on or were deleted, for the compaction to drop.
CREATE INDEX job_trend_bucket_empty_idx ON job_trend_bucket (tenant_id) WHERE jobs = 0;

-- Appended by the triggers, emptied by the compaction. Deliberately without index.
CREATE TABLE job_trend_delta (
    tenant_id   varchar(36) NOT NULL,
    bucket      timestamptz NOT NULL,
    status      varchar(16) NOT NULL,
    duration_s  integer     NOT NULL,
    jobs        bigint      NOT NULL
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['job_trend_bucket', 'job_trend_delta']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (fleethook_tenant_visible(tenant_id))'
                       ' WITH CHECK (fleethook_tenant_visible(tenant_id))', t);
    END LOOP;
END $$;

-- The bucket of a start time: 15-minute bins from the Unix epoch (date_bin: PostgreSQL 14 or later).
CREATE FUNCTION job_trend_bin(started timestamptz) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT date_bin('15 minutes', started, timestamptz '1970-01-01 00:00:00+00') $$;

-- The duration class of a job (see duration_s above). One expression without a sub-select, so PostgreSQL
-- inlines it into the statements that call it (a non-inlined SQL function costs about ten times more a row).
CREATE FUNCTION job_trend_duration(status varchar, started timestamptz, finished timestamptz) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN status = 'RUNNING' OR finished IS NULL OR started IS NULL THEN -1
                      WHEN extract(epoch FROM finished - started) < 3600
                           THEN greatest(0, floor(extract(epoch FROM finished - started)))::integer
                      WHEN extract(epoch FROM finished - started) < 86400
                           THEN (floor(extract(epoch FROM finished - started) / 60) * 60)::integer
                      ELSE least(floor(extract(epoch FROM finished - started) / 3600) * 3600, 2000000000)::integer
                 END $$;

-- Inserts and updates, one row at a time: the WHEN conditions of the triggers below let only the rows whose
-- key may change reach it, so the many updates of attempts and updated_at during ingestion cost nothing here.
CREATE FUNCTION job_trend_row() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.started_at IS NOT NULL AND NEW.started_at IS NOT NULL THEN
        INSERT INTO job_trend_delta (tenant_id, bucket, status, duration_s, jobs)
        VALUES (OLD.tenant_id, job_trend_bin(OLD.started_at), OLD.status,
                job_trend_duration(OLD.status, OLD.started_at, OLD.finished_at), -1),
               (NEW.tenant_id, job_trend_bin(NEW.started_at), NEW.status,
                job_trend_duration(NEW.status, NEW.started_at, NEW.finished_at), 1);
    ELSIF TG_OP = 'UPDATE' AND OLD.started_at IS NOT NULL THEN
        INSERT INTO job_trend_delta (tenant_id, bucket, status, duration_s, jobs)
        VALUES (OLD.tenant_id, job_trend_bin(OLD.started_at), OLD.status,
                job_trend_duration(OLD.status, OLD.started_at, OLD.finished_at), -1);
    ELSIF NEW.started_at IS NOT NULL THEN
        INSERT INTO job_trend_delta (tenant_id, bucket, status, duration_s, jobs)
        VALUES (NEW.tenant_id, job_trend_bin(NEW.started_at), NEW.status,
                job_trend_duration(NEW.status, NEW.started_at, NEW.finished_at), 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER job_trend_insert AFTER INSERT ON job FOR EACH ROW
    WHEN (NEW.started_at IS NOT NULL)
    EXECUTE FUNCTION job_trend_row();
CREATE TRIGGER job_trend_update AFTER UPDATE ON job FOR EACH ROW
    WHEN (OLD.started_at IS DISTINCT FROM NEW.started_at OR OLD.status IS DISTINCT FROM NEW.status
          OR OLD.finished_at IS DISTINCT FROM NEW.finished_at OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
    EXECUTE FUNCTION job_trend_row();

-- Deletes come in batches (retention: 500 jobs a statement; cascades): once per statement, from its
-- transition table.
CREATE FUNCTION job_trend_deleted() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO job_trend_delta (tenant_id, bucket, status, duration_s, jobs)
    SELECT tenant_id, job_trend_bin(started_at), status, job_trend_duration(status, started_at, finished_at), -count(*)
      FROM old_jobs WHERE started_at IS NOT NULL
     GROUP BY 1, 2, 3, 4;
    RETURN NULL;
END $$;
CREATE TRIGGER job_trend_delete AFTER DELETE ON job REFERENCING OLD TABLE AS old_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION job_trend_deleted();

-- TRUNCATE fires no row triggers: it empties job, so it empties the trend too.
CREATE FUNCTION job_trend_truncate() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM job_trend_delta;
    DELETE FROM job_trend_bucket;
    RETURN NULL;
END $$;
CREATE TRIGGER job_trend_truncate AFTER TRUNCATE ON job FOR EACH STATEMENT EXECUTE FUNCTION job_trend_truncate();

-- The jobs already stored (Flyway runs with fleethook.cross_tenant = 'on').
INSERT INTO job_trend_bucket (tenant_id, bucket, status, duration_s, jobs)
SELECT tenant_id, job_trend_bin(started_at), status, job_trend_duration(status, started_at, finished_at), count(*)
  FROM job WHERE started_at IS NOT NULL
 GROUP BY 1, 2, 3, 4;
