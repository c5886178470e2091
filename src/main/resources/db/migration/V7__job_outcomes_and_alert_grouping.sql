-- Issue 12: job outcomes that never lie (warning, abandoned), what each agent says it runs, events it
-- had to set aside, and alerts grouped per server and kind (repeats counted, not multiplied).

-- Why the portal closed a job itself (abandoned), shown next to its status.
ALTER TABLE job ADD COLUMN status_reason varchar(300);
CREATE INDEX job_running_idx ON job (server_id) WHERE status = 'RUNNING';

-- The latest poll that said which job the agent runs (null: none), and how many events it set aside.
ALTER TABLE server ADD COLUMN running_job_id uuid;
ALTER TABLE server ADD COLUMN running_reported_at timestamptz;
ALTER TABLE server ADD COLUMN rejected_events integer NOT NULL DEFAULT 0;

-- One open alert per server and kind counts its repeats.
ALTER TABLE alert ADD COLUMN occurrences integer NOT NULL DEFAULT 1;
ALTER TABLE alert ADD COLUMN last_occurred_at timestamptz;
ALTER TABLE alert ADD COLUMN last_job_id uuid;
ALTER TABLE alert ADD COLUMN last_notified_at timestamptz;
-- Repeats since the last email about this alert (summarized at most once per repeat interval).
ALTER TABLE alert ADD COLUMN unnotified integer NOT NULL DEFAULT 0;
UPDATE alert SET last_occurred_at = created_at, last_job_id = job_id, last_notified_at = created_at;
ALTER TABLE alert ALTER COLUMN last_occurred_at SET NOT NULL;

-- Alerts raised before grouping: keep the newest unresolved one per server and kind, resolve the others.
UPDATE alert a SET state = 'RESOLVED', resolved_at = now()
 WHERE a.state <> 'RESOLVED' AND a.kind <> 'agent-offline'
   AND EXISTS (SELECT 1 FROM alert b
                WHERE b.server_id = a.server_id AND b.kind = a.kind AND b.state <> 'RESOLVED'
                  AND (b.created_at > a.created_at OR (b.created_at = a.created_at AND b.id > a.id)));
CREATE UNIQUE INDEX alert_open_unique ON alert (server_id, kind) WHERE state <> 'RESOLVED' AND kind <> 'agent-offline';

-- Which job counted towards which alert: a job is counted once per kind, however often it is evaluated.
CREATE TABLE alert_occurrence (
    tenant_id    varchar(36) NOT NULL,
    job_id       uuid        NOT NULL,
    kind         varchar(32) NOT NULL,
    alert_id     uuid        REFERENCES alert (id) ON DELETE CASCADE,
    occurred_at  timestamptz NOT NULL,
    PRIMARY KEY (job_id, kind),
    CONSTRAINT alert_occurrence_job_fk FOREIGN KEY (tenant_id, job_id) REFERENCES job (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX alert_occurrence_tenant_idx ON alert_occurrence (tenant_id);
CREATE INDEX alert_occurrence_alert_idx ON alert_occurrence (alert_id);
INSERT INTO alert_occurrence (tenant_id, job_id, kind, alert_id, occurred_at)
SELECT a.tenant_id, a.job_id, a.kind, a.id, a.created_at FROM alert a JOIN job j ON j.id = a.job_id
ON CONFLICT DO NOTHING;

-- Repeat summaries and recovery emails; new kinds for hook failures and abandoned jobs.
ALTER TABLE alert_settings ADD COLUMN repeat_interval_minutes integer NOT NULL DEFAULT 1440
    CHECK (repeat_interval_minutes BETWEEN 5 AND 43200);
ALTER TABLE alert_settings ADD COLUMN recovery_emails boolean NOT NULL DEFAULT true;
ALTER TABLE alert_settings ALTER COLUMN kinds SET DEFAULT
    '{job-failed,pre-script-failed,post-script-failed,hook-failed,script-missing,job-abandoned,agent-offline}';
UPDATE alert_settings SET kinds = kinds || '{hook-failed,job-abandoned}'::varchar(32)[];
CREATE INDEX alert_repeat_idx ON alert (last_notified_at) WHERE state = 'OPEN' AND unnotified > 0;
