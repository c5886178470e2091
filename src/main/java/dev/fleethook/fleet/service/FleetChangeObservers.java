package dev.fleethook.fleet.service;

import dev.fleethook.policy.service.PolicyService;
import dev.fleethook.tenant.TenantService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/** Turns changes made by other features into cache invalidations, in the transaction that made them. */
@ApplicationScoped
public class FleetChangeObservers {

    @Inject
    ChangeNotifier changes;

    void policyChanged(@Observes PolicyService.PolicyChanged event) {
        changes.policy(event.policyId());
    }

    void tenantChanged(@Observes TenantService.TenantSettingsChanged event) {
        changes.tenant(event.tenantId());
    }
}
