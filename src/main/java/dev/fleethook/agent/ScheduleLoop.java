package dev.fleethook.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScheduledJobs;

/**
 * The daemon's schedule thread: starts the active policy's scheduled jobs from the local schedule
 * ({@link LocalSchedule}), so backups keep their times while the portal is away. When it last fired is kept on
 * disk ({@code schedule.json}), so a restart neither repeats nor forgets a start; a start missed while the agent
 * was down is taken once (its window decides Skipped).
 */
final class ScheduleLoop implements Runnable {

    private static final System.Logger LOG = System.getLogger("fleethook.agent");

    /** When the schedule {@code key} (policy, cron, zone) last fired. */
    record Mark(String key, Instant last) {
    }

    private final AgentState state;
    private final String serverId;
    private final ActivePolicy policy;
    private final JobQueue jobs;
    private final Sleeper sleeper;
    private final BooleanSupplier stopping;

    ScheduleLoop(AgentState state, String serverId, ActivePolicy policy, JobQueue jobs, Sleeper sleeper,
            BooleanSupplier stopping) {
        this.state = state;
        this.serverId = serverId;
        this.policy = policy;
        this.jobs = jobs;
        this.sleeper = sleeper;
        this.stopping = stopping;
    }

    @Override
    public void run() {
        while (!stopping.getAsBoolean()) {
            Duration wait = Duration.ofMinutes(1);
            try {
                wait = once(Instant.now());
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "Schedule: " + e);
            }
            sleeper.sleep(wait);
        }
    }

    /** Queues the job that is due, if one is; returns how long to wait before looking again. */
    Duration once(Instant now) throws IOException {
        PolicyDocument p = policy.get();
        Optional<LocalSchedule> schedule = p == null ? Optional.empty() : LocalSchedule.of(p.schedule());
        if (schedule.isEmpty()) {
            return Duration.ofMinutes(10);
        }
        String key = p.policyId() + "|" + LocalSchedule.key(p.schedule());
        Optional<Mark> mark = mark();
        if (mark.isEmpty() || !mark.get().key().equals(key)) {
            // A new schedule starts from now: no back-filling of starts before it was known.
            save(new Mark(key, now));
            return untilNext(schedule.get(), now);
        }
        Optional<Instant> due = schedule.get().next(mark.get().last());
        if (due.isPresent() && !due.get().isAfter(now)) {
            // Due, or missed while the agent was down: the latest start counts (its window decides Skipped).
            Instant start = schedule.get().latest(now).orElse(due.get());
            save(new Mark(key, start));
            jobs.submit(new JobRunner.Request(ScheduledJobs.id(UUID.fromString(serverId), start), "scheduled", null, start, p));
        }
        return untilNext(schedule.get(), now);
    }

    private static Duration untilNext(LocalSchedule schedule, Instant now) {
        return schedule.next(now).map(n -> Duration.between(Instant.now(), n).plusMillis(50))
                .filter(d -> !d.isNegative()).orElse(Duration.ofMinutes(10));
    }

    private Optional<Mark> mark() throws IOException {
        Path f = state.dir().resolve("schedule.json");
        return Files.exists(f) ? Optional.of(AgentState.JSON.readValue(f.toFile(), Mark.class)) : Optional.empty();
    }

    private void save(Mark mark) throws IOException {
        state.writeDurably("schedule.json", AgentState.JSON.writeValueAsString(mark));
    }
}
