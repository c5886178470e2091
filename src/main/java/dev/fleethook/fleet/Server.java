package dev.fleethook.fleet;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.annotations.TenantId;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** An enrolled file server and its agent's credential (only the SHA-256 of the secret). */
@Entity
@Table(name = "server")
public class Server extends PanacheEntityBase {

    public enum Status { ENABLED, DISABLED, REVOKED }

    /** Online, offline or never seen, from the last poll and the poll interval. */
    public enum Presence { ONLINE, OFFLINE, NEVER_SEEN }

    /** A server is online while its last poll is more recent than this many of its own poll intervals. */
    public static final int ONLINE_INTERVALS = 3;

    /**
     * The presence rule of {@link #presence} as an HQL condition over this entity's columns, for lists,
     * filters and counts: true when online at {@code :now}. Offline is its negation for a server seen
     * at least once. The interval is the server's own {@code pollIntervalSeconds} (what its agent is told).
     */
    public static final String ONLINE_AT_NOW = "lastSeenAt > timestampadd(second, -" + ONLINE_INTERVALS
            + " * pollIntervalSeconds, :now)";

    @Id
    public UUID id;

    @TenantId
    @Column(name = "tenant_id")
    public String tenantId;

    public String hostname;

    public String os;

    @Column(name = "agent_version")
    public String agentVersion;

    /** The agent said on its latest poll that it runs test runs ({@code AgentHeaders.FEATURES}). */
    @Column(name = "accepts_test_runs")
    public boolean acceptsTestRuns;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "varchar(64)[]")
    public String[] labels = new String[0];

    @Column(name = "policy_id")
    public UUID policyId;

    @Column(name = "secret_hash")
    public String secretHash;

    @Enumerated(EnumType.STRING)
    public Status status;

    @Column(name = "poll_interval_seconds")
    public int pollIntervalSeconds;

    @Column(name = "enrolled_at")
    public Instant enrolledAt;

    @Column(name = "last_seen_at")
    public Instant lastSeenAt;

    /** Why the agent last refused its policy (e.g. hooks not enabled locally); null when it did not. */
    @Column(name = "last_refusal")
    public String lastRefusal;

    /** Events the agent set aside because the portal refused them (reported with each poll). */
    @Column(name = "rejected_events", insertable = false, updatable = false)
    public int rejectedEvents;

    /** The job the agent's latest poll said it runs (null: none, or an agent that does not say). */
    @Column(name = "running_job_id", insertable = false, updatable = false)
    public UUID runningJobId;

    @Column(name = "replaced_server_id")
    public UUID replacedServerId;

    @Version
    public long version;

    /** The labels as typed in the form: separated by spaces. */
    public String labelText() {
        return String.join(" ", labels);
    }

    /** Online, offline or never seen at {@code now}; the same rule as {@link #ONLINE_AT_NOW}. */
    public Presence presence(Instant now) {
        return presence(lastSeenAt, pollIntervalSeconds, now);
    }

    /**
     * The presence rule: never seen without a poll, online while the last poll ({@code lastSeenAt}) is
     * more recent than {@value #ONLINE_INTERVALS} poll intervals (seconds) before {@code now}.
     */
    public static Presence presence(Instant lastSeenAt, int pollIntervalSeconds, Instant now) {
        if (lastSeenAt == null) {
            return Presence.NEVER_SEEN;
        }
        Duration online = Duration.ofSeconds((long) pollIntervalSeconds * ONLINE_INTERVALS);
        return lastSeenAt.isAfter(now.minus(online)) ? Presence.ONLINE : Presence.OFFLINE;
    }
}
