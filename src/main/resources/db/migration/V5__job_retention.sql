-- How long a tenant keeps its job history.
ALTER TABLE tenant ADD COLUMN job_retention_days integer NOT NULL DEFAULT 90
    CHECK (job_retention_days BETWEEN 1 AND 3650);
CREATE INDEX job_finished_idx ON job (finished_at);
