package dev.fleethook.fleet.service;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.fleethook.fleet.AgentCredential;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * This replica's memory of agent credentials (by secret hash) and poll answers (by server), so that
 * a poll whose ETag still matches is answered without the database — also while it is down.
 * Entries are dropped by {@link ChangeNotifier} keys: {@code server:}, {@code answer:},
 * {@code policy:}, {@code tenant:}.
 */
@ApplicationScoped
public class PollCache {

    /** A ready poll answer: its canonical JSON and the ETag (its SHA-256, quoted). */
    public record Answer(String etag, byte[] json, UUID policyId, String tenantId) {
    }

    private final Map<String, AgentCredential> credentials = new ConcurrentHashMap<>();
    private final Map<UUID, Answer> answers = new ConcurrentHashMap<>();

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

    public void invalidate(String key) {
        int colon = key.indexOf(':');
        if (colon < 0) {
            clear();
            return;
        }
        String kind = key.substring(0, colon);
        String id = key.substring(colon + 1);
        switch (kind) {
            case "server" -> {
                UUID serverId = UUID.fromString(id);
                credentials.values().removeIf(c -> c.serverId().equals(serverId));
                answers.remove(serverId);
            }
            case "answer" -> answers.remove(UUID.fromString(id));
            case "policy" -> {
                UUID policyId = UUID.fromString(id);
                answers.values().removeIf(a -> policyId.equals(a.policyId()));
            }
            case "tenant" -> {
                credentials.values().removeIf(c -> c.tenantId().equals(id));
                answers.values().removeIf(a -> a.tenantId().equals(id));
            }
            default -> clear();
        }
    }

    public void clear() {
        credentials.clear();
        answers.clear();
    }

    public int size() {
        return answers.size();
    }
}
