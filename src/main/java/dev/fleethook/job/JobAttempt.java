package dev.fleethook.job;

import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.annotations.TenantId;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/** One attempt: the pre-script, backup and post-script results as JSON, null while never reported. */
@Entity
@Table(name = "job_attempt")
@IdClass(JobAttempt.Key.class)
public class JobAttempt extends PanacheEntityBase {

    public static class Key implements Serializable {
        public UUID jobId;
        public int number;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && java.util.Objects.equals(jobId, k.jobId) && number == k.number;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(jobId, number);
        }
    }

    @Id
    @Column(name = "job_id")
    public UUID jobId;

    @Id
    public int number;

    @TenantId
    @Column(name = "tenant_id")
    public String tenantId;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @JdbcTypeCode(SqlTypes.JSON)
    public String pre;

    @JdbcTypeCode(SqlTypes.JSON)
    public String backup;

    @JdbcTypeCode(SqlTypes.JSON)
    public String post;

    @Column(name = "final")
    public Boolean finalAttempt;

    /** The step running now as the agent last said: "pre", "backup", "post" or "hook:<phase>[:<source>]". */
    @Column(name = "live_step")
    public String liveStep;

    @Column(name = "live_step_at")
    public Instant liveStepAt;

    /** The running step's output so far (its last 16 KiB), null before its first report. */
    @Column(name = "live_output")
    public String liveOutput;

    @Column(name = "live_output_at")
    public Instant liveOutputAt;
}
