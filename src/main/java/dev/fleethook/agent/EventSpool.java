package dev.fleethook.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import dev.fleethook.protocol.EventBatchResponse;
import dev.fleethook.protocol.JobEvent;

/**
 * Every event is written here (one file each, fsynced, renamed into place) before anything tries to
 * send it, and deleted only once the portal has acknowledged it. Nothing is lost when the portal, its
 * database or this agent goes down; a resend is harmless because event ids are unique.
 * <p>
 * An event the portal refuses for good (named in the answer's {@code rejected}, or answered 400 when
 * sent alone) is moved to {@code rejected/} with a log line instead of being retried forever, so it
 * never holds back the events behind it; {@link #rejectedCount()} is shown by {@code status} and sent
 * with each poll.
 */
public final class EventSpool {

    private static final System.Logger LOG = System.getLogger("fleethook.agent");
    private static final AtomicLong SEQUENCE = new AtomicLong(System.nanoTime());

    private final Path dir;
    private final Path rejected;

    public EventSpool(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.rejected = dir.resolve("rejected");
    }

    /** How many events were set aside as refused by the portal (files in {@code rejected/}). */
    public long rejectedCount() {
        if (!Files.isDirectory(rejected)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(rejected)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Moves a refused event to {@code rejected/}, with the reason beside it, and logs it. */
    private void setAside(Pending p, String reason) throws IOException {
        Files.createDirectories(rejected);
        Path target = rejected.resolve(p.file().getFileName());
        AgentState.writeDurably(rejected.resolve(p.file().getFileName().toString().replace(".json", ".reason.txt")),
                (reason + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.move(p.file(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        LOG.log(System.Logger.Level.WARNING, "Event {0} ({1}) refused by the portal and set aside in {2}: {3}",
                p.event().eventId(), p.event().type() == null ? "?" : p.event().type().wire(), target, reason);
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
            sent += send(portal, secret, batch);
        }
    }

    /** Sends one batch; refused events are set aside, the rest forgotten once acknowledged. */
    private int send(PortalClient portal, String secret, List<Pending> batch) throws IOException, InterruptedException {
        EventBatchResponse answer;
        try {
            answer = portal.sendEvents(secret, batch.stream().map(Pending::event).toList());
        } catch (PortalClient.PortalException e) {
            if (e.status != 400) {
                throw e;
            }
            // A portal that refuses a whole batch (an older one, or a body it cannot read at all): send the
            // events one by one, so that only the bad one is set aside.
            if (batch.size() == 1) {
                setAside(batch.get(0), e.getMessage());
                return 0;
            }
            int n = 0;
            for (Pending p : batch) {
                n += send(portal, secret, List.of(p));
            }
            return n;
        }
        List<Pending> done = new ArrayList<>(batch);
        if (answer.rejected() != null) {
            for (EventBatchResponse.Rejected r : answer.rejected()) {
                if (r.index() >= 0 && r.index() < batch.size()) {
                    Pending p = batch.get(r.index());
                    setAside(p, (r.field() == null || r.field().isEmpty() ? "" : r.field() + ": ") + r.reason());
                    done.remove(p);
                }
            }
        }
        acknowledge(done);
        return done.size();
    }
}
