package dev.fleethook.agent;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.fleethook.protocol.AgentCommand;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScheduledJobs;

/**
 * The agent as a service ({@code run}): polls the portal, keeps the schedule locally, runs one job at a
 * time, obeys Backup Now and Cancel, and sends the spooled events. Threads: the poller, the scheduler,
 * the job runner and the event sender; all stop with {@link #close}. The state directory is locked, so a
 * second agent (or {@code backup-now}) on the same directory is refused instead of racing this one.
 */
public final class AgentDaemon implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("fleethook.agent");

    /** A job in progress and its Cancel switch. */
    private record Running(UUID jobId, AtomicBoolean cancel) {
    }

    /** When the schedule last fired, so a restart neither repeats nor forgets a start. */
    record ScheduleMark(String key, Instant last) {
    }

    private final AgentState state;
    private final AgentState.Config config;
    private final PortalClient portal;
    private final EventSpool spool;
    private final JobRunner runner;
    private final TestRuns testRuns;
    private final FileLock lock;
    private final ExecutorService jobs = Executors.newSingleThreadExecutor(r -> thread(r, "fleethook-job"));
    private final List<Thread> threads = new ArrayList<>();
    private final Object wake = new Object();
    private final Object sendNow = new Object();
    private final Set<String> refusalsReported = new LinkedHashSet<>();
    /** Events the spool refused (disk full, spool folder unwritable), oldest first; sent with the next flush. */
    private final java.util.Deque<JobEvent> unspooled = new java.util.ArrayDeque<>();
    private volatile boolean stopping;
    private volatile PolicyDocument policy;
    private volatile Running running;

    private AgentDaemon(AgentState state, Duration minute, FileLock lock) throws IOException {
        this.state = state;
        this.config = state.config();
        this.lock = lock;
        this.portal = new PortalClient(config.portal());
        this.spool = new EventSpool(state.dir().resolve("spool"));
        JobRunner.Settings settings = settings(state, config, minute);
        this.runner = new JobRunner(settings, this::emit, new JobJournal(state.dir().resolve("journal")));
        this.testRuns = new TestRuns(settings);
        this.policy = state.cachedPolicy().map(p -> p.answer().policy()).orElse(null);
        this.portal.reportWith(new PortalClient.PollReport() {
            @Override
            public UUID runningJob() {
                // Every job the runner runs (agent-start/-stop hook jobs too), else the one about to start.
                UUID job = runner.runningJob();
                Running r = running;
                return job != null ? job : r == null ? null : r.jobId();
            }

            @Override
            public long rejectedEvents() {
                return spool.rejectedCount();
            }
        });
    }

    /** Opens an enrolled state directory, locking it; fails if another agent holds it. */
    public static AgentDaemon open(AgentState state, Duration minute) throws IOException {
        return new AgentDaemon(state, minute, lock(state));
    }

    static FileLock lock(AgentState state) throws IOException {
        FileChannel channel = FileChannel.open(state.dir().resolve("agent.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            FileLock l = channel.tryLock();
            if (l != null) {
                return l;
            }
        } catch (OverlappingFileLockException e) {
            // held by this JVM
        }
        channel.close();
        throw new IOException("another agent is running with " + state.dir() + " (agent.lock is held)");
    }

    static JobRunner.Settings settings(AgentState state, AgentState.Config config, Duration minute) throws IOException {
        Path scratch = Files.createDirectories(state.dir().resolve("tmp"));
        return new JobRunner.Settings(config.hostname(), permissions(config), scratch, state.dir().resolve("secrets"),
                Platform.CURRENT.os(),
                AgentMain.VERSION, minute);
    }

    static HookRunner.Permissions permissions(AgentState.Config config) {
        return new HookRunner.Permissions(config.hooksEnabled(), config.storedScriptsEnabled(),
                config.allowedRoots().stream().map(Path::of).toList(), config.allowedEngineOptions().stream()
                        .filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.toSet()));
    }

    /**
     * Finishes interrupted jobs, then starts polling, scheduling and sending. Returns at once. The
     * agent-start hooks run first, from the policy the portal answers right now (a newly assigned hook runs
     * at this start, not the next one), or from the cached policy while the portal does not answer.
     */
    public void start() throws IOException {
        runner.recover();
        if (policy != null) {
            checkRefusals(policy);
        }
        jobs.submit(() -> {
            PolicyDocument atStart = currentPolicy();
            if (atStart != null) {
                runner.agentStart(atStart);
            }
            return null;
        });
        threads.add(thread(this::pollLoop, "fleethook-poll"));
        threads.add(thread(this::scheduleLoop, "fleethook-schedule"));
        threads.add(thread(this::sendLoop, "fleethook-send"));
        threads.forEach(Thread::start);
        LOG.log(System.Logger.Level.INFO, "Agent {0} started ({1}); state in {2}", config.hostname(), config.portal(),
                state.dir());
    }

    /** Blocks until {@link #close} (or the JVM stops). */
    public void awaitStop() throws InterruptedException {
        for (Thread t : threads) {
            t.join();
        }
    }

    /** Stops polling and scheduling; a running job is canceled and its post-script allowed to finish. */
    @Override
    public void close() {
        stopping = true;
        Running r = running;
        if (r != null) {
            r.cancel().set(true);
        }
        synchronized (wake) {
            wake.notifyAll();
        }
        synchronized (sendNow) {
            sendNow.notifyAll();
        }
        // The poll thread may be inside a held poll (up to one interval): end it now.
        threads.stream().filter(t -> t.getName().equals("fleethook-poll")).forEach(Thread::interrupt);
        portal.abortPolls();
        jobs.shutdown();
        try {
            jobs.awaitTermination(10, TimeUnit.MINUTES);
            for (Thread t : threads) {
                t.join(5000);
            }
            agentStopHooks();
            flushQuietly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            lock.release();
            lock.channel().close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
    }

    /** The agent-stop hooks (Back In Time's reason 6) from the cached policy, once the running job has ended. */
    private void agentStopHooks() {
        PolicyDocument p = policy;
        if (p == null) {
            return;
        }
        try {
            runner.agentStop(p);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "agent-stop hooks: " + Failures.describe(e));
        }
    }

    // ------------------------------------------------------------------ polling and commands

    private void pollLoop() {
        PolicyPoller poller = new PolicyPoller(state, portal, new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(5)),
                true);
        while (!stopping) {
            Duration next = Duration.ofSeconds(30);
            try {
                PolicyPoller.Outcome o = poller.pollOnce();
                next = o.next();
                if (o.problem() != null) {
                    LOG.log(System.Logger.Level.WARNING, "Poll failed ({0}); next try in {1} s", o.problem(),
                            next.toSeconds());
                }
                if (o.policy().isPresent()) {
                    PolicyDocument fresh = o.policy().get().answer().policy();
                    if (o.changed()) {
                        policy = fresh;
                        if (fresh != null) {
                            checkRefusals(fresh);
                        }
                        synchronized (wake) {
                            wake.notifyAll();
                        }
                    }
                    List<AgentCommand> commands = o.policy().get().answer().commands();
                    if (o.problem() == null && commands != null) {
                        obey(commands);
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Poll failed: " + e);
            } catch (InterruptedException e) {
                return;
            }
            sleep(wake, next);
        }
    }

    /**
     * The policy as the portal answers it now (saved like any poll answer, commands left to the poll loop),
     * or the cached one when it does not answer.
     */
    private PolicyDocument currentPolicy() {
        try {
            PolicyPoller.Outcome o = new PolicyPoller(state, portal, new Backoff(Duration.ofSeconds(1),
                    Duration.ofSeconds(1))).pollOnce();
            if (o.problem() == null && o.policy().isPresent() && o.changed()) {
                PolicyDocument fresh = o.policy().get().answer().policy();
                policy = fresh;
                if (fresh != null) {
                    checkRefusals(fresh);
                }
            } else if (o.problem() != null) {
                LOG.log(System.Logger.Level.WARNING, "Portal did not answer at start ({0}): agent-start hooks run "
                        + "from the cached policy", o.problem());
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Portal did not answer at start (" + why(e)
                    + "): agent-start hooks run from the cached policy");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return policy;
    }

    private void obey(List<AgentCommand> commands) throws IOException {
        Set<String> handled = handledCommands();
        for (AgentCommand c : commands) {
            if (!handled.add(c.id().toString())) {
                continue;
            }
            saveHandled(handled);
            if (c.kind() == AgentCommand.Kind.BACKUP_NOW) {
                PolicyDocument p = policy;
                if (p == null) {
                    LOG.log(System.Logger.Level.WARNING, "Backup Now ignored: no policy is assigned");
                } else {
                    submit(new JobRunner.Request(UUID.randomUUID(), "manual", c.id(), Instant.now(), p));
                }
            } else if (c.kind() == AgentCommand.Kind.TEST_RUN) {
                testRun(c);
            } else if (c.kind() == AgentCommand.Kind.CANCEL) {
                Running r = running;
                if (r != null && r.jobId().equals(c.jobId())) {
                    LOG.log(System.Logger.Level.INFO, "Cancel for job {0}", c.jobId());
                    r.cancel().set(true);
                }
            }
            emit(AgentEvents.commandAcknowledged(c.id()));
        }
    }

    /**
     * "Test this hook now": runs on the job queue, so no job starts while it runs; refused while a job runs (a
     * test must not run a pre-script in the middle of a backup). Reported by one test-run-finished event.
     */
    private void testRun(AgentCommand c) {
        PolicyDocument p = policy;
        UUID busy = runner.runningJob() != null ? runner.runningJob() : running == null ? null : running.jobId();
        if (busy != null) {
            emit(AgentEvents.testRunFinished(c.id(), TestRuns.notRun(dev.fleethook.protocol.ScriptStatus.FAILED,
                    dev.fleethook.protocol.TestRun.REFUSED + "job " + busy + " is running on this server; test again when it has ended")));
            return;
        }
        jobs.submit(() -> {
            LOG.log(System.Logger.Level.INFO, "Test run {0} starting", c.id());
            dev.fleethook.protocol.StepResult result = testRuns.run(c.id(), c.test(), p);
            LOG.log(System.Logger.Level.INFO, "Test run {0} finished: status {1}", c.id(), result.status());
            emit(AgentEvents.testRunFinished(c.id(), result));
        });
    }

    private Set<String> handledCommands() throws IOException {
        Path f = state.dir().resolve("commands.json");
        if (!Files.exists(f)) {
            return new LinkedHashSet<>();
        }
        return new LinkedHashSet<>(List.of(AgentState.JSON.readValue(f.toFile(), String[].class)));
    }

    private void saveHandled(Set<String> handled) throws IOException {
        List<String> ids = new ArrayList<>(handled);
        // The portal repeats a command until it is acknowledged; the last 500 ids are plenty to recognize it.
        List<String> keep = ids.subList(Math.max(0, ids.size() - 500), ids.size());
        state.writeAtomically("commands.json", AgentState.JSON.writeValueAsString(keep));
    }

    private void checkRefusals(PolicyDocument p) {
        List<String> reasons;
        try {
            reasons = LocalPolicyCheck.refusals(p, permissions(config));
        } catch (RuntimeException e) {
            // A policy this agent cannot even check must not stop it: each step refuses or fails on its own.
            LOG.log(System.Logger.Level.ERROR, "Cannot check the policy against the local config: " + Failures.describe(e));
            return;
        }
        if (reasons.isEmpty() && refusalsReported.add(p.policyId() + "@" + p.revision() + ": accepted")) {
            emit(AgentEvents.policyAccepted());
        }
        for (String reason : reasons) {
            String key = p.policyId() + "@" + p.revision() + ": " + reason;
            if (refusalsReported.add(key)) {
                LOG.log(System.Logger.Level.WARNING, "Refused by local config: " + reason);
                emit(AgentEvents.policyRefused("revision " + p.revision() + " of " + p.policyName() + ": " + reason));
            }
        }
    }

    // ------------------------------------------------------------------ the schedule

    private void scheduleLoop() {
        while (!stopping) {
            Duration wait = Duration.ofMinutes(1);
            try {
                wait = scheduleOnce(Instant.now());
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "Schedule: " + e);
            }
            sleep(wake, wait);
        }
    }

    /** Starts the job that is due, if one is; returns how long to wait before looking again. */
    Duration scheduleOnce(Instant now) throws IOException {
        PolicyDocument p = policy;
        Optional<LocalSchedule> schedule = p == null ? Optional.empty() : LocalSchedule.of(p.schedule());
        if (schedule.isEmpty()) {
            return Duration.ofMinutes(10);
        }
        String key = p.policyId() + "|" + LocalSchedule.key(p.schedule());
        Optional<ScheduleMark> mark = mark();
        if (mark.isEmpty() || !mark.get().key().equals(key)) {
            // A new schedule starts from now: no back-filling of starts before it was known.
            saveMark(new ScheduleMark(key, now));
            return untilNext(schedule.get(), now);
        }
        Optional<Instant> due = schedule.get().next(mark.get().last());
        if (due.isPresent() && !due.get().isAfter(now)) {
            // Due, or missed while the agent was down: the latest start counts (its window decides Skipped).
            Instant start = schedule.get().latest(now).orElse(due.get());
            saveMark(new ScheduleMark(key, start));
            submit(new JobRunner.Request(ScheduledJobs.id(UUID.fromString(config.serverId()), start), "scheduled",
                    null, start, p));
        }
        return untilNext(schedule.get(), now);
    }

    private static Duration untilNext(LocalSchedule schedule, Instant now) {
        return schedule.next(now).map(n -> Duration.between(Instant.now(), n).plusMillis(50))
                .filter(d -> !d.isNegative()).orElse(Duration.ofMinutes(10));
    }

    private Optional<ScheduleMark> mark() throws IOException {
        Path f = state.dir().resolve("schedule.json");
        return Files.exists(f) ? Optional.of(AgentState.JSON.readValue(f.toFile(), ScheduleMark.class)) : Optional.empty();
    }

    private void saveMark(ScheduleMark mark) throws IOException {
        state.writeAtomically("schedule.json", AgentState.JSON.writeValueAsString(mark));
    }

    // ------------------------------------------------------------------ jobs and events

    /** Queues a job; one runs at a time, the next starts when it ends (or is Skipped if its window closed). */
    Future<JobStatus> submit(JobRunner.Request request) {
        return jobs.submit(() -> {
            Running r = new Running(request.jobId(), new AtomicBoolean(stopping));
            running = r;
            try {
                LOG.log(System.Logger.Level.INFO, "Job {0} ({1}) starting", request.jobId(), request.trigger());
                JobStatus status = runner.run(request, r.cancel()::get);
                LOG.log(System.Logger.Level.INFO, "Job {0} finished: {1}", request.jobId(), status.wire());
                return status;
            } finally {
                running = null;
            }
        });
    }

    /**
     * How many events the daemon keeps in memory while the spool refuses them (each at most ~20 KiB with
     * its output tail, so this stays under ~20 MiB); beyond it an event is dropped with a log line.
     */
    static final int MAX_UNSPOOLED = 1000;

    /**
     * Spools an event. One the spool cannot take (disk full, spool folder unwritable) is kept in memory,
     * bounded by {@link #MAX_UNSPOOLED}, and sent directly with the next flush, as {@code backup-now} does.
     */
    private void emit(JobEvent event) {
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
        synchronized (sendNow) {
            sendNow.notifyAll();
        }
    }

    private static String wire(JobEvent event) {
        return event.type() == null ? "?" : event.type().wire();
    }

    private static String ofJob(JobEvent event) {
        return event.jobId() == null ? "" : " of job " + event.jobId();
    }

    /**
     * Sends what is pending: first the events kept in memory are offered to the spool again (it may take
     * them now, keeping their order), then the spool is flushed, then what the spool still refuses is sent
     * directly. Throws the first failure after trying both, so a broken spool does not hold back the
     * in-memory events and vice versa.
     */
    private void flushEvents() throws IOException, InterruptedException {
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

    /** Sends the in-memory events in batches; an event the portal refuses for good is dropped with a log line. */
    private void sendUnspooled() throws IOException, InterruptedException {
        while (true) {
            List<JobEvent> batch;
            synchronized (unspooled) {
                batch = unspooled.stream().limit(dev.fleethook.protocol.EventBatch.MAX_EVENTS).toList();
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

    private void sendLoop() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));
        while (!stopping) {
            Duration wait = Duration.ofSeconds(10);
            try {
                flushEvents();
                backoff.succeeded();
            } catch (PortalClient.PortalException e) {
                wait = backoff.afterFailure(e.retryAfter == null ? null : Duration.ofSeconds(e.retryAfter));
                LOG.log(System.Logger.Level.WARNING, "Sending events failed ({0}); retry in {1} s", why(e),
                        wait.toSeconds());
            } catch (IOException e) {
                wait = backoff.afterFailure(null);
                LOG.log(System.Logger.Level.WARNING, "Sending events failed ({0}); retry in {1} s", why(e),
                        wait.toSeconds());
            } catch (InterruptedException e) {
                return;
            }
            if (backoff.failures() == 0) {
                sleep(sendNow, wait);
            } else {
                sleepUninterrupted(wait);
            }
        }
    }

    private void flushQuietly() {
        try {
            flushEvents();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.INFO, "Unsent events stay in the spool: " + why(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (unspooled) {
            if (!unspooled.isEmpty()) {
                Set<UUID> jobsLost = new LinkedHashSet<>();
                unspooled.stream().map(JobEvent::jobId).filter(java.util.Objects::nonNull).forEach(jobsLost::add);
                LOG.log(System.Logger.Level.ERROR, unspooled.size() + " events could be neither written to the spool "
                        + "nor sent and are lost as the agent stops" + (jobsLost.isEmpty() ? "" : ": the portal will "
                        + "not show the outcome of job(s) " + jobsLost) + ". Free the disk of " + state.dir()
                        + " and check the portal.");
            }
        }
    }

    /** Sends events not in the spool; one the portal refuses for good (400, or named rejected) is dropped with a log line. */
    private void sendDirectly(List<JobEvent> batch) throws IOException, InterruptedException {
        dev.fleethook.protocol.EventBatchResponse answer;
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
            for (dev.fleethook.protocol.EventBatchResponse.Rejected r : answer.rejected()) {
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

    private void sleep(Object monitor, Duration d) {
        synchronized (monitor) {
            if (stopping) {
                return;
            }
            try {
                monitor.wait(Math.max(1, d.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void sleepUninterrupted(Duration d) {
        long until = System.currentTimeMillis() + d.toMillis();
        while (!stopping && System.currentTimeMillis() < until) {
            try {
                Thread.sleep(Math.min(200, until - System.currentTimeMillis() + 1));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** An exception's message, or its type when it has none (a refused connection has none). */
    static String why(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
