package dev.fleethook.identity.service;

import java.time.Instant;
import java.util.UUID;

import org.jboss.logging.Logger;

import dev.fleethook.identity.OperatorAccount;
import dev.fleethook.kernel.CurrentTenant;
import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import dev.fleethook.kernel.Secrets;

/**
 * Creates the first platform operator when none exists. Safe with several replicas starting at once:
 * the insert is conditional, so exactly one of them creates the account.
 */
@ApplicationScoped
public class OperatorBootstrap {

    private static final Logger LOG = Logger.getLogger(OperatorBootstrap.class);

    @Inject
    IdentityConfig config;

    @Inject
    PasswordHasher hasher;

    @Inject
    CurrentTenant currentTenant;

    void onStart(@Observes StartupEvent event) {
        boolean exists = currentTenant.withoutTenant(() -> OperatorAccount.count() > 0);
        if (exists) {
            return; // the common case: nothing to hash, nothing to write
        }
        String email = config.operatorEmail().trim();
        boolean generated = config.operatorPassword().isEmpty();
        String password = config.operatorPassword().orElseGet(Secrets::newPassword);
        String hash = hasher.hash(password);
        int created = currentTenant.withoutTenant(() -> Panache.getEntityManager().createNativeQuery("""
                INSERT INTO operator_account (id, email, display_name, password_hash, created_at)
                SELECT ?1, ?2, 'Platform operator', ?3, ?4
                 WHERE NOT EXISTS (SELECT 1 FROM operator_account)
                ON CONFLICT DO NOTHING""")
                .setParameter(1, UUID.randomUUID()).setParameter(2, email).setParameter(3, hash)
                .setParameter(4, Instant.now()).executeUpdate());
        if (created == 1) {
            if (generated) {
                // Printed once, at creation; the portal keeps only the hash.
                LOG.warnf("Created the first platform operator %s with the generated password: %s "
                        + "(set FLEETHOOK_OPERATOR_PASSWORD to choose it; this is shown once)", email, password);
            } else {
                LOG.infof("Created the first platform operator %s", email);
            }
        }
    }
}
