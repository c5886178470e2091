-- job_event is the ledger that makes ingestion idempotent: one row per received event (its id, server, job, attempt,
-- type and times), so a replayed event is recognised and projected once. Issue 17.4 found its rows to be a third of
-- PostgreSQL's time per event batch; two things go.
--
-- 1. The payload column held each event again as jsonb, and nothing ever read it: what an event says lives in the
--    projections it updates (job, job_attempt, hook_run, test_run, server). It cost a jsonb parse and about two thirds
--    of every row. Dropping a column only changes the catalog; the old rows' bytes go as retention deletes them.
ALTER TABLE job_event DROP COLUMN payload;

-- 2. Three indexes per row become two. An event id is unique per server (each agent makes its own; a replay comes from
--    the same server), so the key is (server_id, event_id): it also serves the server foreign key's cascade
--    ("WHERE tenant_id = $1 AND server_id = $2"), which had its own index since V15. Scoping the key to the server
--    also means no agent can make another server's events count as duplicates by sending their ids first.
--    On an upgrade this builds the new key over the existing rows once, while the table is locked.
ALTER TABLE job_event DROP CONSTRAINT job_event_pkey;
ALTER TABLE job_event ADD CONSTRAINT job_event_pkey PRIMARY KEY (server_id, event_id);
DROP INDEX job_event_server_idx;

-- 3. Retention deletes a job's events with the job; the events that name no job (command acknowledgements, policy
--    accepted or refused, test runs finished) were never deleted and grew with every command and policy change.
--    Retention now deletes them after the tenant's job retention, through this index of only those rows (events
--    of a job, nearly all of them, add nothing to it).
CREATE INDEX job_event_jobless_idx ON job_event (tenant_id, received_at) WHERE job_id IS NULL;
