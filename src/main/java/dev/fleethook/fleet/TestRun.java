package dev.fleethook.fleet;

import java.time.Instant;
import java.util.UUID;

import org.hibernate.annotations.TenantId;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * "Test this hook now": one pre-script, post-script or hook of a server's current policy, run once on request
 * outside any job ({@link dev.fleethook.protocol.TestRun}). Its id is the id of the {@code TEST_RUN} agent
 * command that delivers it and the job id the script sees; the agent's {@code test-run-finished} event fills
 * the result. It is never a job and never raises an alert.
 */
@Entity
@Table(name = "test_run")
public class TestRun extends PanacheEntityBase {

    /**
     * Where a test run stands: PENDING until the agent reports, then the script status it reported
     * (Successful, Failed, TimedOut, Skipped = missing, Disabled = scripts off in the policy), or REFUSED when
     * the agent's local config, its allowed roots or a running job said no.
     */
    public enum Status {
        PENDING, SUCCEEDED, FAILED, TIMED_OUT, SKIPPED, DISABLED, REFUSED;

        /** The wire and page name: {@code timed-out}. */
        public String wire() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    @Id
    public UUID id;

    @TenantId
    @Column(name = "tenant_id")
    public String tenantId;

    @Column(name = "server_id")
    public UUID serverId;

    @Column(name = "policy_id")
    public UUID policyId;

    @Column(name = "policy_revision")
    public Integer policyRevision;

    /** {@code pre-script}, {@code post-script} or {@code hook}. */
    public String target;

    @Column(name = "hook_index")
    public Integer hookIndex;

    /** The hook's phase when {@link #target} is {@code hook} (for the page). */
    @Column(name = "hook_phase")
    public String hookPhase;

    /** The post-script's third argument: a script status code. */
    @Column(name = "pre_status")
    public Integer preStatus;

    /** The post-script's fourth argument: a backup status code. */
    @Column(name = "backup_status")
    public Integer backupStatus;

    @Column(name = "requested_by")
    public String requestedBy;

    @Column(name = "requested_at")
    public Instant requestedAt;

    @Enumerated(EnumType.STRING)
    public Status status;

    @Column(name = "exit_code")
    public Integer exitCode;

    @Column(name = "duration_ms")
    public Long durationMs;

    @Column(name = "timed_out")
    public Boolean timedOut;

    /** The last 16 KiB of output at most. */
    @Column(name = "output_tail")
    public String outputTail;

    /** Why it did not run or failed ("refused: …", "… is missing"). */
    public String detail;

    @Column(name = "finished_at")
    public Instant finishedAt;

    /** What ran, for people: "pre-script", "post-script 1 0", "hook 2 (before-backup)". */
    public String what() {
        return switch (target) {
            case "post-script" -> "post-script " + preStatus + " " + backupStatus;
            case "hook" -> "hook " + hookIndex + (hookPhase == null ? "" : " (" + hookPhase + ")");
            default -> target;
        };
    }
}
