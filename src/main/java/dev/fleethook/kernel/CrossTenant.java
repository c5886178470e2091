package dev.fleethook.kernel;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The one way to read or write rows of several tenants at once. PostgreSQL's row-level security shows a
 * transaction only the rows of its tenant ({@link CurrentTenant}); work that must see every tenant (sign-in
 * before the tenant is known, credentials found by their hash, the background passes) names its
 * {@link Use} here. The transaction then runs with {@code fleethook.cross_tenant = 'on'} (see
 * {@code V8__row_level_security.sql}), each use is counted in the {@code fleethook.cross_tenant} metric
 * (tag {@code use}) and logged at DEBUG. Hibernate still binds no tenant, so entity queries find nothing:
 * cross-tenant work is native SQL that names {@code tenant_id} and hands each row's work to
 * {@link CurrentTenant#inTransaction(String, java.util.function.Supplier)}.
 */
@ApplicationScoped
public class CrossTenant {

    private static final Logger LOG = Logger.getLogger(CrossTenant.class);

    /** The sanctioned cross-tenant uses; a new one is a reviewed change to this list. */
    public enum Use {
        /** Sign-in: the user is found by email before any tenant is known. */
        SIGN_IN,
        /** A password reset link: its tenant is found by the link secret's SHA-256. */
        PASSWORD_RESET,
        /** Enrollment: the token's tenant is found by the token's SHA-256. */
        ENROLLMENT,
        /** Agent requests: the server (and its tenant) is found by the secret's SHA-256. */
        AGENT_CREDENTIAL,
        /** Heartbeats of every polling server, written in one statement. */
        HEARTBEATS,
        /** Job retention: expired jobs of every tenant, each by its tenant's retention. */
        RETENTION,
        /** Merging the dashboard trend's delta rows of every tenant (job.service.TrendCompaction). */
        TREND_COMPACTION,
        /** The offline detector: silent servers of every tenant. */
        OFFLINE_DETECTOR,
        /** The abandoned-job detector: running jobs whose agent moved on. */
        ABANDONED_DETECTOR,
        /** The missed-window detector: servers whose backup window passed without a job. */
        MISSED_DETECTOR,
        /** Repeat notifications of alerts still open. */
        REPEAT_NOTIFIER,
        /** The email outbox sender: due emails of every tenant. */
        OUTBOX,
        /** Platform metrics (the outbox backlog). */
        METRICS,
        /** The platform operator's tenant list (user counts per tenant). */
        OPERATOR
    }

    @Inject
    CurrentTenant currentTenant;

    @Inject
    MeterRegistry registry;

    private final Map<Use, Counter> counters = new EnumMap<>(Use.class);

    @PostConstruct
    void counters() {
        for (Use use : Use.values()) {
            counters.put(use, Counter.builder("fleethook.cross_tenant")
                    .description("Transactions allowed to see every tenant's rows, by sanctioned use")
                    .tag("use", use.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
        }
    }

    /**
     * Runs {@code work} in a new transaction that sees every tenant's rows (native SQL only; Hibernate's
     * entity queries stay bound to no tenant). Checked exceptions of {@code work} come back wrapped, as
     * {@link io.quarkus.narayana.jta.QuarkusTransaction} does.
     *
     * @param use   why the work crosses tenants: counted and logged
     * @param work  the transaction's work
     * @return what {@code work} returned
     */
    public <T> T run(Use use, Callable<T> work) {
        counters.get(use).increment();
        LOG.debugf("Cross-tenant transaction: %s", use);
        return currentTenant.inTransaction(CurrentTenant.NONE, use, work);
    }
}
