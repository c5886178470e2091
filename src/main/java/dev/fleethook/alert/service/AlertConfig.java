package dev.fleethook.alert.service;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Alert emails: delivery retries and the offline check. */
@ConfigMapping(prefix = "fleethook.alerts")
public interface AlertConfig {

    /** Sender of alert emails. */
    @WithDefault("fleethook@localhost")
    String from();

    /** How often the outbox is looked at for due emails. */
    @WithDefault("2s")
    Duration senderInterval();

    /** Delivery attempts before an email is marked failed (shown in the portal, can be retried). */
    @WithDefault("8")
    int maxAttempts();

    /** Wait after the first failed attempt; doubles each time, up to {@link #maxBackoff()}. */
    @WithDefault("30s")
    Duration backoff();

    @WithDefault("1h")
    Duration maxBackoff();

    /** How often servers are checked for being offline longer than their tenant's threshold. */
    @WithDefault("60s")
    Duration offlineCheck();

    /** How often open alerts are checked for a due repeat summary (the interval itself is per tenant). */
    @WithDefault("60s")
    Duration repeatCheck();
}
