-- job_event is the ledger that makes ingestion idempotent: one row per received event id (with its server, job,
-- attempt, type and times), so a replayed event is recognised and projected once. Its payload column held each
-- event again as jsonb, and nothing ever read it: what an event says lives in the projections it updates (job,
-- job_attempt, hook_run, test_run, server). Writing it cost a jsonb parse and about two thirds of every ledger row,
-- on every event (issue 17.4: a third of PostgreSQL's time per batch was the 50 ledger rows). Dropping a column
-- only changes the catalog; the old rows' bytes go as retention deletes them.
ALTER TABLE job_event DROP COLUMN payload;
