package dev.fleethook.alert;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A tenant's alert settings. Keyed by the tenant id itself (one row per tenant), so it is always read
 * with {@code findById(currentTenant)} rather than through the @TenantId filter.
 */
@Entity
@Table(name = "alert_settings")
public class AlertSettings extends PanacheEntityBase {

    @Id
    @Column(name = "tenant_id")
    public String tenantId;

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "varchar(254)[]")
    public String[] recipients = new String[0];

    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(columnDefinition = "varchar(32)[]")
    public String[] kinds = Alert.KINDS.toArray(String[]::new);

    @Column(name = "offline_threshold_minutes")
    public int offlineThresholdMinutes = 60;

    /** Repeats of an open alert are summarized in one email at most this often (default 24 h). */
    @Column(name = "repeat_interval_minutes")
    public int repeatIntervalMinutes = 1440;

    /** Whether resolving a notified alert sends a recovery email. */
    @Column(name = "recovery_emails")
    public boolean recoveryEmails = true;

    /** Set on the defaults built when no row is stored (not a column). */
    @jakarta.persistence.Transient
    private boolean unsaved;

    /** True for the defaults of a tenant that never saved its settings: recipients are then its admins. */
    public boolean usesDefaults() {
        return unsaved;
    }

    /** Marks these settings as the defaults (true) or as saved (false). */
    public void unsaved(boolean value) {
        this.unsaved = value;
    }

    public boolean wants(String kind) {
        return java.util.Arrays.asList(kinds).contains(kind);
    }
}
