package dev.fleethook.fleet.service;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Every poll is a heartbeat. They are gathered in memory and written together every few seconds in one
 * statement, never one row update per poll; if the database is down they wait for the next flush.
 * Several replicas may write the same server: the latest time wins.
 */
@ApplicationScoped
public class HeartbeatWriter {

    private static final Logger LOG = Logger.getLogger(HeartbeatWriter.class);

    private final Map<UUID, Instant> pending = new ConcurrentHashMap<>();

    @Inject
    DataSource dataSource;

    public void record(UUID serverId) {
        pending.put(serverId, Instant.now());
    }

    @Scheduled(every = "${fleethook.fleet.heartbeat-flush:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            identity = "heartbeat-flush")
    public void flush() {
        if (pending.isEmpty()) {
            return;
        }
        Map<UUID, Instant> batch = new HashMap<>();
        for (UUID id : pending.keySet()) {
            Instant at = pending.remove(id);
            if (at != null) {
                batch.put(id, at);
            }
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("""
                        UPDATE server SET last_seen_at = v.at
                          FROM unnest(?::uuid[], ?::timestamptz[]) AS v(id, at)
                         WHERE server.id = v.id AND (server.last_seen_at IS NULL OR server.last_seen_at < v.at)""")) {
            UUID[] ids = batch.keySet().toArray(UUID[]::new);
            Timestamp[] times = new Timestamp[ids.length];
            for (int i = 0; i < ids.length; i++) {
                times[i] = Timestamp.from(batch.get(ids[i]));
            }
            s.setArray(1, c.createArrayOf("uuid", ids));
            s.setArray(2, c.createArrayOf("timestamptz", times));
            s.executeUpdate();
        } catch (SQLException e) {
            batch.forEach((id, at) -> pending.merge(id, at, (a, b) -> a.isAfter(b) ? a : b));
            LOG.debugf("Heartbeats kept for the next flush: %s", e.getMessage());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        flush();
    }
}
