-- Issue 17: the portal stays fast at 10,000 servers and a million jobs.

-- The job list reads its pages along an index in its own order (newest first, never-started jobs last,
-- then by id), from a keyset cursor: the first page and the ten-thousandth cost the same. One index per
-- way the list is filtered: the whole tenant, one status, one server.
CREATE INDEX job_list_idx ON job (tenant_id, (coalesce(started_at, '-infinity'::timestamptz)) DESC, id DESC);
CREATE INDEX job_status_list_idx ON job (tenant_id, status, (coalesce(started_at, '-infinity'::timestamptz)) DESC, id DESC);
CREATE INDEX job_server_list_idx ON job (server_id, (coalesce(started_at, '-infinity'::timestamptz)) DESC, id DESC);

-- Retention finds a tenant's expired jobs through this index instead of reading every job.
CREATE INDEX job_tenant_finished_idx ON job (tenant_id, finished_at);

-- The server list's order (hostname, then enrollment) per tenant.
CREATE INDEX server_list_idx ON server (tenant_id, hostname, enrolled_at);

-- Superseded by job_server_list_idx (same leading column, the list's order).
DROP INDEX job_server_idx;
