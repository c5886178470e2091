-- Alerts raised at the end of a job's last attempt (and for agents offline too long), their settings,
-- and the transactional email outbox.

CREATE TABLE alert_settings (
    tenant_id                  varchar(36) PRIMARY KEY REFERENCES tenant (id) ON DELETE CASCADE,
    recipients                 varchar(254)[] NOT NULL DEFAULT '{}',
    kinds                      varchar(32)[]  NOT NULL DEFAULT '{job-failed,pre-script-failed,post-script-failed,script-missing,agent-offline}',
    offline_threshold_minutes  integer NOT NULL DEFAULT 60 CHECK (offline_threshold_minutes BETWEEN 5 AND 10080)
);

CREATE TABLE alert (
    id               uuid PRIMARY KEY,
    tenant_id        varchar(36)  NOT NULL,
    server_id        uuid         NOT NULL,
    job_id           uuid,
    kind             varchar(32)  NOT NULL,
    -- One alert per kind per job (or per offline episode): the unique key decides, not a look-up.
    dedupe_key       varchar(200) NOT NULL,
    state            varchar(16)  NOT NULL DEFAULT 'OPEN' CHECK (state IN ('OPEN', 'ACKNOWLEDGED', 'RESOLVED')),
    title            varchar(300) NOT NULL,
    created_at       timestamptz  NOT NULL,
    acknowledged_at  timestamptz,
    acknowledged_by  varchar(254),
    resolved_at      timestamptz,
    CONSTRAINT alert_dedupe_unique UNIQUE (dedupe_key),
    CONSTRAINT alert_server_fk FOREIGN KEY (tenant_id, server_id) REFERENCES server (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX alert_tenant_state_idx ON alert (tenant_id, state, created_at DESC);
CREATE INDEX alert_server_idx ON alert (server_id, state);

CREATE TABLE email_outbox (
    id               uuid PRIMARY KEY,
    tenant_id        varchar(36)   NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    alert_id         uuid          REFERENCES alert (id) ON DELETE SET NULL,
    recipient        varchar(254)  NOT NULL,
    subject          varchar(300)  NOT NULL,
    html             text          NOT NULL,
    text             text          NOT NULL,
    status           varchar(16)   NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENDING', 'SENT', 'FAILED')),
    attempts         integer       NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz   NOT NULL,
    claimed_until    timestamptz,
    last_error       varchar(1000),
    created_at       timestamptz   NOT NULL,
    sent_at          timestamptz
);
CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at) WHERE status IN ('PENDING', 'SENDING');
CREATE INDEX email_outbox_tenant_idx ON email_outbox (tenant_id, created_at DESC);
