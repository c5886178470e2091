package dev.fleethook.kernel;

import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import io.quarkus.hibernate.orm.runtime.tenant.TenantResolver;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Hands {@link CurrentTenant} to Hibernate's discriminator multitenancy (@TenantId columns). */
@PersistenceUnitExtension
@ApplicationScoped
public class HibernateTenantResolver implements TenantResolver {

    @Inject
    CurrentTenant currentTenant;

    @Override
    public String getDefaultTenantId() {
        return CurrentTenant.NONE;
    }

    @Override
    public String resolveTenantId() {
        return currentTenant.id();
    }
}
