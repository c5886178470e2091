-- Enrollment, servers and their agent credentials, commands, and the jobs agents report.

CREATE TABLE server (
    id                     uuid PRIMARY KEY,
    tenant_id              varchar(36)  NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    hostname               varchar(253) NOT NULL,
    os                     varchar(16)  NOT NULL CHECK (os IN ('linux', 'windows')),
    agent_version          varchar(40),
    labels                 varchar(64)[] NOT NULL DEFAULT '{}',
    policy_id              uuid,
    -- SHA-256 of the 256-bit agent secret; the secret itself is never stored.
    secret_hash            varchar(64)  NOT NULL,
    status                 varchar(16)  NOT NULL DEFAULT 'ENABLED' CHECK (status IN ('ENABLED', 'DISABLED', 'REVOKED')),
    poll_interval_seconds  integer      NOT NULL DEFAULT 30,
    enrolled_at            timestamptz  NOT NULL,
    last_seen_at           timestamptz,
    last_refusal           varchar(1000),
    replaced_server_id     uuid,
    version                bigint       NOT NULL DEFAULT 0,
    CONSTRAINT server_tenant_id_unique UNIQUE (tenant_id, id),
    CONSTRAINT server_secret_unique UNIQUE (secret_hash),
    CONSTRAINT server_policy_fk FOREIGN KEY (tenant_id, policy_id) REFERENCES policy (tenant_id, id)
);
CREATE INDEX server_tenant_idx ON server (tenant_id);
CREATE INDEX server_policy_idx ON server (tenant_id, policy_id);
CREATE INDEX server_labels_idx ON server USING gin (labels);

CREATE TABLE enrollment_token (
    id                  uuid PRIMARY KEY,
    tenant_id           varchar(36)  NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    label               varchar(120) NOT NULL,
    token_hash          varchar(64)  NOT NULL,
    token_prefix        varchar(16)  NOT NULL,
    policy_id           uuid,
    replace_server_id   uuid,
    max_uses            integer      NOT NULL CHECK (max_uses > 0),
    uses                integer      NOT NULL DEFAULT 0,
    expires_at          timestamptz  NOT NULL,
    revoked_at          timestamptz,
    created_by          varchar(254) NOT NULL,
    created_at          timestamptz  NOT NULL,
    CONSTRAINT enrollment_token_hash_unique UNIQUE (token_hash),
    CONSTRAINT enrollment_token_policy_fk FOREIGN KEY (tenant_id, policy_id) REFERENCES policy (tenant_id, id),
    CONSTRAINT enrollment_token_server_fk FOREIGN KEY (tenant_id, replace_server_id) REFERENCES server (tenant_id, id)
        ON DELETE CASCADE
);
CREATE INDEX enrollment_token_tenant_idx ON enrollment_token (tenant_id);

-- Backup Now and Cancel, delivered with the next poll answer until the agent acknowledges them.
CREATE TABLE agent_command (
    id               uuid PRIMARY KEY,
    tenant_id        varchar(36)  NOT NULL,
    server_id        uuid         NOT NULL,
    kind             varchar(16)  NOT NULL CHECK (kind IN ('BACKUP_NOW', 'CANCEL')),
    job_id           uuid,
    created_by       varchar(254) NOT NULL,
    created_at       timestamptz  NOT NULL,
    acknowledged_at  timestamptz,
    CONSTRAINT agent_command_server_fk FOREIGN KEY (tenant_id, server_id) REFERENCES server (tenant_id, id)
        ON DELETE CASCADE
);
CREATE INDEX agent_command_pending_idx ON agent_command (server_id) WHERE acknowledged_at IS NULL;
CREATE INDEX agent_command_tenant_idx ON agent_command (tenant_id);

-- A job as reported by its agent (the id is the agent's). Columns are filled by events in any order.
CREATE TABLE job (
    id               uuid PRIMARY KEY,
    tenant_id        varchar(36)  NOT NULL,
    server_id        uuid         NOT NULL,
    policy_id        uuid,
    policy_revision  integer,
    trigger          varchar(16),
    status           varchar(16)  NOT NULL DEFAULT 'RUNNING',
    backup_status    integer,
    attempts         integer      NOT NULL DEFAULT 0,
    max_attempts     integer,
    started_at       timestamptz,
    finished_at      timestamptz,
    updated_at       timestamptz  NOT NULL,
    CONSTRAINT job_tenant_id_unique UNIQUE (tenant_id, id),
    CONSTRAINT job_server_fk FOREIGN KEY (tenant_id, server_id) REFERENCES server (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX job_tenant_started_idx ON job (tenant_id, started_at DESC);
CREATE INDEX job_server_idx ON job (server_id, started_at DESC);

-- One attempt of a job: each phase is a JSON result, null while never reported (shown as N/A).
CREATE TABLE job_attempt (
    tenant_id    varchar(36) NOT NULL,
    job_id       uuid        NOT NULL,
    number       integer     NOT NULL CHECK (number > 0),
    started_at   timestamptz,
    finished_at  timestamptz,
    pre          jsonb,
    backup       jsonb,
    post         jsonb,
    final        boolean,
    PRIMARY KEY (job_id, number),
    CONSTRAINT job_attempt_job_fk FOREIGN KEY (tenant_id, job_id) REFERENCES job (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX job_attempt_tenant_idx ON job_attempt (tenant_id);

CREATE TABLE hook_run (
    tenant_id     varchar(36)  NOT NULL,
    job_id        uuid         NOT NULL,
    attempt       integer      NOT NULL,
    phase         varchar(32)  NOT NULL,
    hook_index    integer      NOT NULL,
    source_path   varchar(1024) NOT NULL DEFAULT '',
    result        jsonb        NOT NULL,
    PRIMARY KEY (job_id, attempt, phase, hook_index, source_path),
    CONSTRAINT hook_run_job_fk FOREIGN KEY (tenant_id, job_id) REFERENCES job (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX hook_run_tenant_idx ON hook_run (tenant_id);

-- Every event as received. The unique event id makes ingestion idempotent: a replayed batch inserts nothing.
CREATE TABLE job_event (
    event_id     uuid PRIMARY KEY,
    tenant_id    varchar(36)  NOT NULL,
    server_id    uuid         NOT NULL,
    job_id       uuid,
    attempt      integer,
    type         varchar(32)  NOT NULL,
    occurred_at  timestamptz  NOT NULL,
    received_at  timestamptz  NOT NULL DEFAULT now(),
    payload      jsonb        NOT NULL,
    CONSTRAINT job_event_server_fk FOREIGN KEY (tenant_id, server_id) REFERENCES server (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX job_event_job_idx ON job_event (job_id);
CREATE INDEX job_event_tenant_idx ON job_event (tenant_id);
