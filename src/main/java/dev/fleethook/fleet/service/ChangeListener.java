package dev.fleethook.fleet.service;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import dev.fleethook.protocol.Backoff;

/**
 * Listens for the change notifications of every replica on a dedicated PostgreSQL connection. When
 * the connection breaks, notifications may have been missed: the whole cache is dropped and rebuilt
 * lazily once the database is back (until then cached answers keep serving polls).
 */
@ApplicationScoped
public class ChangeListener {

    private static final Logger LOG = Logger.getLogger(ChangeListener.class);
    /** Reconnecting after a lost connection: 0.5 s, doubling up to 10 s ({@link Backoff#exponential}). */
    private static final Duration RECONNECT_FIRST = Duration.ofMillis(500);
    private static final Duration RECONNECT_CAP = Duration.ofSeconds(10);

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    Optional<String> url;

    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> username;

    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;

    @Inject
    PollCache cache;

    private volatile boolean running;
    private volatile Thread thread;
    private volatile Connection connection;

    void start(@Observes StartupEvent event) {
        if (url.isEmpty()) {
            return;
        }
        running = true;
        thread = new Thread(this::listen, "fleethook-change-listener");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        closeQuietly();
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void listen() {
        int failures = 0;
        boolean everConnected = false;
        while (running) {
            try (Connection c = DriverManager.getConnection(url.get(), username.orElse(null), password.orElse(null))) {
                connection = c;
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + ChangeNotifier.CHANNEL);
                }
                if (everConnected) {
                    // Notifications sent while we were away are lost: start over from the database.
                    cache.clear();
                    LOG.info("Change notifications reconnected; poll cache cleared");
                }
                everConnected = true;
                failures = 0;
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(1000);
                    if (notifications != null) {
                        for (PGNotification n : notifications) {
                            cache.invalidate(n.getParameter());
                        }
                    }
                }
            } catch (SQLException e) {
                if (!running) {
                    return;
                }
                Duration backoff = Backoff.exponential(RECONNECT_FIRST, RECONNECT_CAP, ++failures);
                LOG.debugf("Change notifications interrupted (%s); retrying in %d ms", e.getMessage(), backoff.toMillis());
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void closeQuietly() {
        Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
