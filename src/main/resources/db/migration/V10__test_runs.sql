-- "Test this hook now": one pre-script, post-script or hook of a server's current policy run on request,
-- outside any job (never a job, never an alert). Delivered as a TEST_RUN agent command whose id is the test
-- run's id; the agent's test-run-finished event fills the result columns.
ALTER TABLE agent_command DROP CONSTRAINT agent_command_kind_check;
ALTER TABLE agent_command ADD CONSTRAINT agent_command_kind_check
    CHECK (kind IN ('BACKUP_NOW', 'CANCEL', 'TEST_RUN'));

CREATE TABLE test_run (
    id               uuid PRIMARY KEY,
    tenant_id        varchar(36)  NOT NULL,
    server_id        uuid         NOT NULL,
    policy_id        uuid,
    policy_revision  integer,
    target           varchar(16)  NOT NULL CHECK (target IN ('pre-script', 'post-script', 'hook')),
    hook_index       integer,
    hook_phase       varchar(32),
    pre_status       integer,
    backup_status    integer,
    requested_by     varchar(254) NOT NULL,
    requested_at     timestamptz  NOT NULL,
    status           varchar(16)  NOT NULL DEFAULT 'PENDING'
        CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'SKIPPED', 'DISABLED', 'REFUSED')),
    exit_code        integer,
    duration_ms      bigint,
    timed_out        boolean,
    output_tail      text,
    detail           text,
    finished_at      timestamptz,
    CONSTRAINT test_run_tenant_id_unique UNIQUE (tenant_id, id),
    CONSTRAINT test_run_server_fk FOREIGN KEY (tenant_id, server_id) REFERENCES server (tenant_id, id)
        ON DELETE CASCADE
);
CREATE INDEX test_run_server_idx ON test_run (server_id, requested_at DESC);
CREATE INDEX test_run_tenant_idx ON test_run (tenant_id);

-- Row-level security as for every tenant-owned table (V8).
ALTER TABLE test_run ENABLE ROW LEVEL SECURITY;
ALTER TABLE test_run FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON test_run USING (fleethook_tenant_visible(tenant_id))
    WITH CHECK (fleethook_tenant_visible(tenant_id));
