package dev.fleethook.agent;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import dev.fleethook.protocol.Backoff;
import dev.fleethook.protocol.EventBatch;
import dev.fleethook.protocol.EventBatchResponse;
import dev.fleethook.protocol.JobEvent;

/**
 * Everything the agent reports goes through here: {@link #emit} writes the event to the {@link EventSpool} (on
 * disk before anything tries to send it) and wakes the send thread ({@link #run}), which sends the spool in
 * batches, with backoff (1 s doubling to 5 min, the portal's Retry-After honoured) while the portal fails. An
 * event the spool cannot take (disk full, spool folder unwritable) is kept in memory, bounded by
 * {@link #MAX_UNSPOOLED}, and sent directly, as {@code backup-now} does.
 */
final class EventSender implements Runnable {

    private static final System.Logger LOG = System.getLogger("fleethook.agent");

    /**
     * How many events are kept in memory while the spool refuses them (each at most ~20 KiB with its output
     * tail, so this stays under ~20 MiB); beyond it an event is dropped with a log line.
     */
    static final int MAX_UNSPOOLED = 1000;

    private final AgentState state;
    private final PortalClient portal;
    private final EventSpool spool;
    private final Sleeper sleeper;
    private final BooleanSupplier stopping;
    /** Events the spool refused, oldest first; sent with the next flush. */
    private final Deque<JobEvent> unspooled = new ArrayDeque<>();

    EventSender(AgentState state, PortalClient portal, EventSpool spool, Sleeper sleeper, BooleanSupplier stopping) {
        this.state = state;
        this.portal = portal;
        this.spool = spool;
        this.sleeper = sleeper;
        this.stopping = stopping;
    }

    /** Spools an event (or keeps it in memory when the spool refuses it) and wakes the sender. */
    void emit(JobEvent event) {
        try {
            spool.append(event);
        } catch (IOException | RuntimeException e) {
            synchronized (unspooled) {
                if (unspooled.size() >= MAX_UNSPOOLED) {
                    LOG.log(System.Logger.Level.ERROR, "Could not spool a " + wire(event) + " event (" + Failures.describe(e)
                            + ") and " + MAX_UNSPOOLED + " events already wait in memory: it is dropped" + ofJob(event)
                            + ". Free the disk of " + state.dir() + " and check the portal.");
                } else {
                    if (unspooled.isEmpty()) {
                        LOG.log(System.Logger.Level.ERROR, "Could not spool a " + wire(event) + " event"
                                + ofJob(event) + " (" + Failures.describe(e) + "): events are kept in memory and sent "
                                + "directly with the next flush. Free the disk of " + state.dir() + ".");
                    }
                    unspooled.addLast(event);
                }
            }
        }
        sleeper.wake();
    }

    @Override
    public void run() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));
        while (!stopping.getAsBoolean()) {
            Duration wait = Duration.ofSeconds(10);
            try {
                flush();
                backoff.succeeded();
            } catch (PortalClient.PortalException e) {
                wait = backoff.afterFailure(e.retryAfter == null ? null : Duration.ofSeconds(e.retryAfter));
                LOG.log(System.Logger.Level.WARNING, "Sending events failed ({0}); retry in {1} s", Failures.why(e),
                        wait.toSeconds());
            } catch (IOException e) {
                wait = backoff.afterFailure(null);
                LOG.log(System.Logger.Level.WARNING, "Sending events failed ({0}); retry in {1} s", Failures.why(e),
                        wait.toSeconds());
            } catch (InterruptedException e) {
                return;
            }
            if (backoff.failures() == 0) {
                sleeper.sleep(wait);
            } else {
                sleeper.sleepThroughWakes(wait);
            }
        }
    }

    /**
     * Sends what is pending: first the events kept in memory are offered to the spool again (it may take
     * them now, keeping their order), then the spool is flushed, then what the spool still refuses is sent
     * directly. Throws the first failure after trying both, so a broken spool does not hold back the
     * in-memory events and vice versa.
     */
    void flush() throws IOException, InterruptedException {
        synchronized (unspooled) {
            while (!unspooled.isEmpty()) {
                try {
                    spool.append(unspooled.peekFirst());
                    unspooled.removeFirst();
                } catch (IOException | RuntimeException e) {
                    break;
                }
            }
        }
        long inSpool;
        try {
            inSpool = spool.size();
        } catch (IOException | RuntimeException unreadable) {
            // The spool folder itself is broken (the events went to memory): not a failure to send.
            inSpool = 0;
        }
        IOException failure = null;
        try {
            if (inSpool > 0) {
                spool.flush(portal, state.secret());
            }
        } catch (IOException e) {
            failure = e;
        }
        try {
            sendUnspooled();
        } catch (IOException e) {
            failure = failure == null ? e : failure;
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The last flush as the daemon stops: what cannot be sent stays in the spool; what is in memory is lost, loudly. */
    void flushQuietly() {
        try {
            flush();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, "Unsent events stay in the spool: " + Failures.why(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (unspooled) {
            if (!unspooled.isEmpty()) {
                Set<UUID> jobsLost = new LinkedHashSet<>();
                unspooled.stream().map(JobEvent::jobId).filter(Objects::nonNull).forEach(jobsLost::add);
                LOG.log(System.Logger.Level.ERROR, unspooled.size() + " events could be neither written to the spool "
                        + "nor sent and are lost as the agent stops" + (jobsLost.isEmpty() ? "" : ": the portal will "
                        + "not show the outcome of job(s) " + jobsLost) + ". Free the disk of " + state.dir()
                        + " and check the portal.");
            }
        }
    }

    /** Sends the in-memory events in batches; an event the portal refuses for good is dropped with a log line. */
    private void sendUnspooled() throws IOException, InterruptedException {
        while (true) {
            List<JobEvent> batch;
            synchronized (unspooled) {
                batch = unspooled.stream().limit(EventBatch.MAX_EVENTS).toList();
            }
            if (batch.isEmpty()) {
                return;
            }
            sendDirectly(batch);
            synchronized (unspooled) {
                for (int i = 0; i < batch.size(); i++) {
                    unspooled.removeFirst();
                }
            }
        }
    }

    /** Sends events not in the spool; one the portal refuses for good (400, or named rejected) is dropped with a log line. */
    private void sendDirectly(List<JobEvent> batch) throws IOException, InterruptedException {
        EventBatchResponse answer;
        try {
            answer = portal.sendEvents(state.secret(), batch);
        } catch (PortalClient.PortalException e) {
            if (e.status != 400) {
                throw e;
            }
            if (batch.size() == 1) {
                dropRefused(batch.get(0), e.getMessage());
                return;
            }
            for (JobEvent one : batch) {
                sendDirectly(List.of(one));
            }
            return;
        }
        if (answer.rejected() != null) {
            for (EventBatchResponse.Rejected r : answer.rejected()) {
                if (r.index() >= 0 && r.index() < batch.size()) {
                    dropRefused(batch.get(r.index()), r.reason());
                }
            }
        }
    }

    private static void dropRefused(JobEvent e, String reason) {
        LOG.log(System.Logger.Level.WARNING, "Event " + e.eventId() + " (" + wire(e) + ")" + ofJob(e)
                + " refused by the portal and dropped (the spool could not keep it): " + reason);
    }

    private static String wire(JobEvent event) {
        return event.type() == null ? "?" : event.type().wire();
    }

    private static String ofJob(JobEvent event) {
        return event.jobId() == null ? "" : " of job " + event.jobId();
    }
}
