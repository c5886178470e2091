package dev.fleethook.tenant;

import java.time.Instant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An organization. Not tenant-owned itself: only platform operators list or change tenants. */
@Entity
@Table(name = "tenant")
public class Tenant extends PanacheEntityBase {

    /** A UUID in text form: Hibernate hands tenant identifiers around as strings. */
    @Id
    public String id;

    public String name;

    public String slug;

    @Column(name = "time_zone")
    public String timeZone;

    public boolean suspended;

    /** The longest pre/post-script timeout a policy may set; null for no maximum. */
    @Column(name = "max_script_timeout_seconds")
    public Integer maxScriptTimeoutSeconds;

    /** Days job history is kept (default 90). */
    @Column(name = "job_retention_days")
    public int jobRetentionDays = 90;

    @Column(name = "created_at")
    public Instant createdAt;
}
