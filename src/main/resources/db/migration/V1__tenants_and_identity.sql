-- Tenants, platform operators, tenant users and the credentials that authenticate them.
-- Tenant-owned tables carry tenant_id (indexed, part of their foreign keys); Hibernate filters them
-- through @TenantId. Credential tables (sessions, API tokens) are looked up by hash before any tenant
-- is known and are keyed by their owner.

CREATE TABLE tenant (
    id          varchar(36) PRIMARY KEY,
    name        varchar(120) NOT NULL,
    slug        varchar(63)  NOT NULL,
    time_zone   varchar(64)  NOT NULL DEFAULT 'UTC',
    suspended   boolean      NOT NULL DEFAULT false,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT tenant_slug_unique UNIQUE (slug)
);

CREATE TABLE operator_account (
    id             uuid PRIMARY KEY,
    email          varchar(254) NOT NULL,
    display_name   varchar(120) NOT NULL,
    password_hash  varchar(100) NOT NULL,
    created_at     timestamptz  NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX operator_account_email_unique ON operator_account (lower(email));

CREATE TABLE app_user (
    id             uuid PRIMARY KEY,
    tenant_id      varchar(36)  NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
    email          varchar(254) NOT NULL,
    display_name   varchar(120) NOT NULL,
    role           varchar(16)  NOT NULL CHECK (role IN ('ADMIN', 'OPERATOR', 'VIEWER')),
    password_hash  varchar(100) NOT NULL,
    disabled       boolean      NOT NULL DEFAULT false,
    created_at     timestamptz  NOT NULL DEFAULT now(),
    version        bigint       NOT NULL DEFAULT 0,
    CONSTRAINT app_user_tenant_id_unique UNIQUE (tenant_id, id)
);
CREATE INDEX app_user_tenant_idx ON app_user (tenant_id);
-- Sign-in is by email alone, so an email belongs to one account across the platform.
CREATE UNIQUE INDEX app_user_email_unique ON app_user (lower(email));

-- A browser session: the cookie holds a random token, the database only its SHA-256.
CREATE TABLE web_session (
    id            uuid PRIMARY KEY,
    token_hash    varchar(64) NOT NULL,
    operator_id   uuid        REFERENCES operator_account (id) ON DELETE CASCADE,
    user_id       uuid,
    tenant_id     varchar(36),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    CONSTRAINT web_session_token_unique UNIQUE (token_hash),
    CONSTRAINT web_session_user_fk FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT web_session_one_owner CHECK ((operator_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX web_session_expires_idx ON web_session (expires_at);

-- A personal API token: shown once, stored as SHA-256, revocable.
CREATE TABLE api_token (
    id            uuid PRIMARY KEY,
    token_hash    varchar(64)  NOT NULL,
    token_prefix  varchar(16)  NOT NULL,
    name          varchar(80)  NOT NULL,
    operator_id   uuid         REFERENCES operator_account (id) ON DELETE CASCADE,
    user_id       uuid,
    tenant_id     varchar(36),
    created_at    timestamptz  NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    expires_at    timestamptz,
    revoked_at    timestamptz,
    CONSTRAINT api_token_hash_unique UNIQUE (token_hash),
    CONSTRAINT api_token_user_fk FOREIGN KEY (tenant_id, user_id) REFERENCES app_user (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT api_token_one_owner CHECK ((operator_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX api_token_user_idx ON api_token (user_id);
CREATE INDEX api_token_operator_idx ON api_token (operator_id);

-- Failed sign-ins per normalized email, shared by every portal replica.
CREATE TABLE sign_in_throttle (
    email_key     varchar(254) PRIMARY KEY,
    failures      integer      NOT NULL,
    window_start  timestamptz  NOT NULL,
    locked_until  timestamptz
);
