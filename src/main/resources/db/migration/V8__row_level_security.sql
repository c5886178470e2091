-- Defence in depth for tenancy (issue 13): PostgreSQL row-level security on every tenant-owned table.
--
-- The portal sets two settings on every connection it borrows from its pool
-- (kernel.TenantConnectionInterceptor): fleethook.tenant (the current tenant's id, empty for none) and
-- fleethook.cross_tenant ('on' only inside tenant.CrossTenant, the one audited cross-tenant path). A row of a
-- tenant-owned table is visible and writable only when its tenant_id is the current tenant, or the
-- transaction is a sanctioned cross-tenant one. No tenant set means no rows: SQL that forgets its tenant
-- condition returns nothing instead of other tenants' data.
--
-- FORCE applies the policies to the tables' owner too, so they hold even where one role both migrates and
-- runs the portal. Only superusers and BYPASSRLS roles skip them: the portal must not connect as one.
-- Migrations that move data across tenants run with fleethook.cross_tenant = 'on' (quarkus.flyway.init-sql).
--
-- New tenant-owned tables: ENABLE + FORCE row level security and
--   CREATE POLICY tenant_isolation ON t USING (fleethook_tenant_visible(tenant_id))
--                                      WITH CHECK (fleethook_tenant_visible(tenant_id));

-- One rule, in one place. A plain SQL function: PostgreSQL inlines it, so plans keep using the indexes.
CREATE FUNCTION fleethook_tenant_visible(row_tenant varchar) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT row_tenant = current_setting('fleethook.tenant', true)
              OR current_setting('fleethook.cross_tenant', true) = 'on' $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['app_user', 'policy', 'policy_revision', 'audit_entry', 'server', 'enrollment_token',
                             'agent_command', 'job', 'job_attempt', 'hook_run', 'job_event', 'alert_settings',
                             'alert', 'alert_occurrence', 'email_outbox']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (fleethook_tenant_visible(tenant_id))'
                       ' WITH CHECK (fleethook_tenant_visible(tenant_id))', t);
    END LOOP;
END $$;

-- The portal's runtime role (quarkus.datasource.username; placeholder app_role) reads and writes rows but
-- owns nothing, so it can neither change these policies nor turn them off. It does not touch Flyway's
-- history. Tables created by later migrations get the same rights (default privileges of the migrating role).
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "${app_role}";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "${app_role}";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "${app_role}";
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "${app_role}";
DO $$
BEGIN
    IF '${app_role}' <> current_user THEN
        REVOKE ALL ON TABLE "${flyway:table}" FROM "${app_role}";
    END IF;
END $$;
