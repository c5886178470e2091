package dev.fleethook.job;

import java.io.Serializable;
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

/** One run of a policy hook in an attempt (per source path for per-folder phases). */
@Entity
@Table(name = "hook_run")
@IdClass(HookRun.Key.class)
public class HookRun extends PanacheEntityBase {

    public static class Key implements Serializable {
        public UUID jobId;
        public int attempt;
        public String phase;
        public int hookIndex;
        public String sourcePath;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && java.util.Objects.equals(jobId, k.jobId) && attempt == k.attempt
                    && java.util.Objects.equals(phase, k.phase) && hookIndex == k.hookIndex
                    && java.util.Objects.equals(sourcePath, k.sourcePath);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(jobId, attempt, phase, hookIndex, sourcePath);
        }
    }

    @Id
    @Column(name = "job_id")
    public UUID jobId;

    @Id
    public int attempt;

    @Id
    public String phase;

    @Id
    @Column(name = "hook_index")
    public int hookIndex;

    @Id
    @Column(name = "source_path")
    public String sourcePath;

    @TenantId
    @Column(name = "tenant_id")
    public String tenantId;

    @JdbcTypeCode(SqlTypes.JSON)
    public String result;
}
