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

    public boolean wants(String kind) {
        return java.util.Arrays.asList(kinds).contains(kind);
    }
}
