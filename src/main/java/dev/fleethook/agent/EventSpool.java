package dev.fleethook.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import dev.fleethook.protocol.JobEvent;

/**
 * Every event is written here (one file each, fsynced, renamed into place) before anything tries to
 * send it, and deleted only once the portal has acknowledged it. Nothing is lost when the portal, its
 * database or this agent goes down; a resend is harmless because event ids are unique.
 */
public final class EventSpool {

    private static final AtomicLong SEQUENCE = new AtomicLong(System.nanoTime());

    private final Path dir;

    public EventSpool(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /** Durably records an event; returns once it is on disk. */
    public void append(JobEvent event) throws IOException {
        String name = String.format("%020d-%s.json", SEQUENCE.incrementAndGet(), event.eventId());
        AgentState.writeDurably(dir.resolve(name), AgentState.JSON.writeValueAsBytes(event));
    }

    /** The oldest pending events, at most {@code limit}, with the files that hold them. */
    public List<Pending> pending(int limit) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")
                    && !p.getFileName().toString().startsWith(".")).sorted().limit(limit).toList();
        }
        List<Pending> out = new ArrayList<>();
        for (Path f : files) {
            out.add(new Pending(f, AgentState.JSON.readValue(f.toFile(), JobEvent.class)));
        }
        return out;
    }

    public long size() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")
                    && !p.getFileName().toString().startsWith(".")).count();
        }
    }

    /** Forgets events the portal acknowledged. */
    public void acknowledge(List<Pending> sent) throws IOException {
        for (Pending p : sent) {
            Files.deleteIfExists(p.file());
        }
    }

    public record Pending(Path file, JobEvent event) {
    }

    /**
     * Sends everything pending in batches of at most 500. Stops at the first failure, keeping the rest;
     * returns how many events the portal acknowledged.
     */
    public int flush(PortalClient portal, String secret) throws IOException, InterruptedException {
        int sent = 0;
        while (true) {
            List<Pending> batch = pending(dev.fleethook.protocol.EventBatch.MAX_EVENTS);
            if (batch.isEmpty()) {
                return sent;
            }
            portal.sendEvents(secret, batch.stream().map(Pending::event).toList());
            acknowledge(batch);
            sent += batch.size();
        }
    }
}
