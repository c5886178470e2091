-- Issue 17: the dashboard's "failing most (7 days)" without touching the job table's heap.
--
-- The servers with the most failed jobs started in the last 7 days read the tenant's failed jobs of the week
-- (about 2,100 of the 70,000 jobs of a week at 10,000 servers). Along job_status_list_idx that was one heap
-- page per failed job (2,100 buffers, 49 ms from a cold cache), because the server is not in that index and
-- its key is an expression (coalesce(started_at, …)), which rules out index-only scans. This partial index
-- holds only failed jobs (3 % of the rows here), keyed by plain started_at, with the server included: an
-- index-only scan of about 35 buffers (1 ms). Jobs of other statuses never enter it, so ingestion pays for it
-- only when a job fails.
CREATE INDEX job_failed_idx ON job (tenant_id, started_at) INCLUDE (server_id) WHERE status = 'FAILED';
