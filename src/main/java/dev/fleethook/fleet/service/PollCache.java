package dev.fleethook.fleet.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.fleethook.fleet.AgentCredential;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * This replica's memory of agent credentials (by secret hash) and poll answers (by server), so that
 * a poll whose ETag still matches is answered without the database — also while it is down.
 * Entries are dropped by {@link ChangeNotifier} keys: {@code server:}, {@code answer:},
 * {@code policy:}, {@code tenant:}.
 *
 * <p>Held polls (the command channel, {@link dev.fleethook.protocol.PollWait}) register a watcher per
 * server here: when a server's cached answer is dropped — on this replica after commit, or on another one
 * through LISTEN/NOTIFY — its watchers run at once on the invalidating thread. A watcher is a callback, not
 * a thread: ten thousand idle held polls are ten thousand small objects in these maps.
 */
@ApplicationScoped
public class PollCache {

    /** A ready poll answer: its canonical JSON and the ETag (its SHA-256, quoted). */
    public record Answer(String etag, byte[] json, UUID policyId, String tenantId) {
    }

    private final Map<String, AgentCredential> credentials = new ConcurrentHashMap<>();
    private final Map<UUID, Answer> answers = new ConcurrentHashMap<>();
    private final Map<UUID, Set<Runnable>> watchers = new ConcurrentHashMap<>();

    @Inject
    MeterRegistry registry;

    @PostConstruct
    void meters() {
        Gauge.builder("fleethook.polls.held", this, PollCache::watching)
                .description("Agent polls held open on this replica (the command channel)").register(registry);
    }

    public AgentCredential credential(String secretHash) {
        return credentials.get(secretHash);
    }

    public void putCredential(String secretHash, AgentCredential credential) {
        credentials.put(secretHash, credential);
    }

    public Answer answer(UUID serverId) {
        return answers.get(serverId);
    }

    public void putAnswer(UUID serverId, Answer answer) {
        answers.put(serverId, answer);
    }

    /**
     * Runs {@code onChange} once when {@code seen} stops being the server's cached answer (dropped by an
     * invalidation, here or on another replica). If it already is not, runs it at once. Returns the handle
     * that unregisters the watcher (call it when the held poll ends for any other reason).
     */
    public Runnable watch(UUID serverId, Answer seen, Runnable onChange) {
        Runnable once = new Runnable() {
            private final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();

            @Override
            public void run() {
                if (done.compareAndSet(false, true)) {
                    onChange.run();
                }
            }
        };
        watchers.computeIfAbsent(serverId, k -> ConcurrentHashMap.newKeySet()).add(once);
        Runnable unwatch = () -> watchers.computeIfPresent(serverId, (k, set) -> {
            set.remove(once);
            return set.isEmpty() ? null : set;
        });
        if (answers.get(serverId) != seen) {
            // Dropped between the caller's look-up and the registration.
            unwatch.run();
            once.run();
        }
        return unwatch;
    }

    /** Held polls currently waiting on this replica. */
    public int watching() {
        return watchers.values().stream().mapToInt(Set::size).sum();
    }

    public void invalidate(String key) {
        int colon = key.indexOf(':');
        if (colon < 0) {
            clear();
            return;
        }
        String kind = key.substring(0, colon);
        String id = key.substring(colon + 1);
        List<UUID> dropped = new ArrayList<>();
        switch (kind) {
            case "server" -> {
                UUID serverId = UUID.fromString(id);
                credentials.values().removeIf(c -> c.serverId().equals(serverId));
                answers.remove(serverId);
                dropped.add(serverId);
            }
            case "answer" -> {
                UUID serverId = UUID.fromString(id);
                answers.remove(serverId);
                dropped.add(serverId);
            }
            case "policy" -> {
                UUID policyId = UUID.fromString(id);
                answers.entrySet().removeIf(e -> policyId.equals(e.getValue().policyId()) && dropped.add(e.getKey()));
            }
            case "tenant" -> {
                credentials.values().removeIf(c -> c.tenantId().equals(id));
                answers.entrySet().removeIf(e -> e.getValue().tenantId().equals(id) && dropped.add(e.getKey()));
            }
            default -> {
                clear();
                return;
            }
        }
        dropped.forEach(this::wake);
    }

    public void clear() {
        credentials.clear();
        answers.clear();
        new ArrayList<>(watchers.keySet()).forEach(this::wake);
    }

    private void wake(UUID serverId) {
        Set<Runnable> waiting = watchers.remove(serverId);
        if (waiting != null) {
            waiting.forEach(Runnable::run);
        }
    }

    public int size() {
        return answers.size();
    }
}
