package dev.fleethook.fleet.service;

import java.util.LinkedHashSet;
import java.util.Set;

import io.quarkus.hibernate.orm.panache.Panache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

/**
 * Tells every portal replica that cached poll answers or agent credentials are stale. Within the
 * writing transaction it sends a PostgreSQL NOTIFY (delivered to all replicas only if the transaction
 * commits); after commit it also drops this replica's entries at once, without waiting for the
 * notification to come back.
 */
@ApplicationScoped
public class ChangeNotifier {

    public static final String CHANNEL = "fleethook_changes";

    @Inject
    TransactionSynchronizationRegistry transactions;

    @Inject
    PollCache cache;

    /** A server's credential and answer changed (status, policy, interval). */
    public void server(Object serverId) {
        send("server:" + serverId);
    }

    /** Only a server's answer changed (a command was added or acknowledged). */
    public void answer(Object serverId) {
        send("answer:" + serverId);
    }

    /** The answers of every server on a policy changed. */
    public void policy(Object policyId) {
        send("policy:" + policyId);
    }

    /** Everything of a tenant changed (time zone, suspension). */
    public void tenant(String tenantId) {
        send("tenant:" + tenantId);
    }

    @Transactional(Transactional.TxType.MANDATORY)
    void send(String key) {
        Panache.getEntityManager().createNativeQuery("SELECT pg_notify(?1, ?2)").setParameter(1, CHANNEL)
                .setParameter(2, key).getSingleResult();
        pending().add(key);
    }

    @SuppressWarnings("unchecked")
    private Set<String> pending() {
        Object existing = transactions.getResource(ChangeNotifier.class);
        if (existing != null) {
            return (Set<String>) existing;
        }
        Set<String> keys = new LinkedHashSet<>();
        transactions.putResource(ChangeNotifier.class, keys);
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    keys.forEach(cache::invalidate);
                }
            }
        });
        return keys;
    }
}
