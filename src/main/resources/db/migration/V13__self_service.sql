-- Self-service (issue 14): where each browser session comes from, and password reset links made by an admin.

-- What the sessions page shows about a session: the browser it was opened from and its address, when known.
ALTER TABLE web_session ADD COLUMN user_agent varchar(512);
ALTER TABLE web_session ADD COLUMN address varchar(64);
CREATE INDEX web_session_user_idx ON web_session (user_id);
CREATE INDEX web_session_operator_idx ON web_session (operator_id);

-- A single-use link that lets one user set a new password. The link is shown once to the admin who made it;
-- only its SHA-256 is stored. The page it opens is visited before any tenant is known, so the link's tenant is
-- found by its hash (kernel.CrossTenant, use PASSWORD_RESET), as enrollment finds an enrollment token's.
CREATE TABLE password_reset (
    id          uuid PRIMARY KEY,
    tenant_id   varchar(36)  NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    user_id     uuid         NOT NULL,
    token_hash  varchar(64)  NOT NULL,
    created_by  varchar(254) NOT NULL,
    created_at  timestamptz  NOT NULL,
    expires_at  timestamptz  NOT NULL,
    used_at     timestamptz,
    CONSTRAINT password_reset_token_unique UNIQUE (token_hash),
    CONSTRAINT password_reset_user_fk FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX password_reset_tenant_idx ON password_reset (tenant_id);
CREATE INDEX password_reset_user_idx ON password_reset (user_id);

ALTER TABLE password_reset ENABLE ROW LEVEL SECURITY;
ALTER TABLE password_reset FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON password_reset USING (fleethook_tenant_visible(tenant_id))
    WITH CHECK (fleethook_tenant_visible(tenant_id));
