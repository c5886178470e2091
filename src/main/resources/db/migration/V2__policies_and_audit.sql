-- Backup policies with immutable revisions, the tenant's script-timeout maximum, and the audit log.

ALTER TABLE tenant ADD COLUMN max_script_timeout_seconds integer
    CHECK (max_script_timeout_seconds IS NULL OR max_script_timeout_seconds > 0);

CREATE TABLE policy (
    id                uuid PRIMARY KEY,
    tenant_id         varchar(36)   NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    name              varchar(120)  NOT NULL,
    description       varchar(2000) NOT NULL DEFAULT '',
    current_revision  integer       NOT NULL,
    is_default        boolean       NOT NULL DEFAULT false,
    created_at        timestamptz   NOT NULL,
    updated_at        timestamptz   NOT NULL,
    version           bigint        NOT NULL DEFAULT 0,
    CONSTRAINT policy_tenant_id_unique UNIQUE (tenant_id, id)
);
CREATE INDEX policy_tenant_idx ON policy (tenant_id);
CREATE UNIQUE INDEX policy_name_unique ON policy (tenant_id, lower(name));
CREATE UNIQUE INDEX policy_one_default ON policy (tenant_id) WHERE is_default;

-- Every save of a policy is a revision; the spec is the whole policy as JSON.
CREATE TABLE policy_revision (
    id          uuid PRIMARY KEY,
    tenant_id   varchar(36)  NOT NULL,
    policy_id   uuid         NOT NULL,
    number      integer      NOT NULL CHECK (number > 0),
    spec        jsonb        NOT NULL,
    spec_hash   varchar(64)  NOT NULL,
    author      varchar(254) NOT NULL,
    note        varchar(500),
    created_at  timestamptz  NOT NULL,
    CONSTRAINT policy_revision_policy_fk FOREIGN KEY (tenant_id, policy_id)
        REFERENCES policy (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT policy_revision_number_unique UNIQUE (policy_id, number)
);
CREATE INDEX policy_revision_tenant_idx ON policy_revision (tenant_id);

-- Who changed what, when, with the state before and after.
CREATE TABLE audit_entry (
    id           uuid PRIMARY KEY,
    tenant_id    varchar(36)  NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    at           timestamptz  NOT NULL,
    actor        varchar(254) NOT NULL,
    action       varchar(64)  NOT NULL,
    target_type  varchar(32)  NOT NULL,
    target_id    varchar(64),
    summary      varchar(500) NOT NULL,
    before       jsonb,
    after        jsonb
);
CREATE INDEX audit_entry_tenant_at_idx ON audit_entry (tenant_id, at DESC);

-- Revisions and audit entries are immutable: the database refuses to change them.
CREATE FUNCTION fleethook_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME;
END $$;
CREATE TRIGGER policy_revision_immutable BEFORE UPDATE ON policy_revision
    FOR EACH ROW EXECUTE FUNCTION fleethook_refuse_update();
CREATE TRIGGER audit_entry_immutable BEFORE UPDATE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION fleethook_refuse_update();
