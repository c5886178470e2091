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
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Collectors;

import dev.fleethook.protocol.PolicyDocument;

/**
 * The agent as a service ({@code run}): wires the parts and runs their threads. {@link PollLoop} polls the
 * portal and hands commands to {@link Commands}; {@link ScheduleLoop} keeps the schedule locally; {@link JobQueue}
 * runs one job at a time; {@link EventSender} spools and sends the events; {@link ActivePolicy} is the policy they
 * all obey; {@link Sleeper}s let the loops wait and be woken. All stop with {@link #close}. The state directory is
 * locked, so a second agent (or {@code backup-now}) on the same directory is refused instead of racing this one.
 */
public final class AgentDaemon implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("fleethook.agent");

    private final AgentState state;
    private final AgentState.Config config;
    private final PortalClient portal;
    private final FileLock lock;
    private final JobRunner runner;
    private final JobQueue jobs;
    private final ActivePolicy policy;
    private final EventSender sender;
    private final PollLoop polls;
    private final ScheduleLoop schedule;
    /** Wakes the poll and schedule loops (a changed policy) and ends their waits when the daemon stops. */
    private final Sleeper wake;
    /** Wakes the send loop (a new event). */
    private final Sleeper sendNow;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopping;

    private AgentDaemon(AgentState state, Duration minute, FileLock lock) throws IOException {
        this.state = state;
        this.config = state.config();
        this.lock = lock;
        this.portal = new PortalClient(config.portal());
        EventSpool spool = new EventSpool(state.dir().resolve("spool"));
        this.wake = new Sleeper(() -> stopping);
        this.sendNow = new Sleeper(() -> stopping);
        this.sender = new EventSender(state, portal, spool, sendNow, () -> stopping);
        JobRunner.Settings settings = settings(state, config, minute);
        this.runner = new JobRunner(settings, sender::emit, new JobJournal(state.dir().resolve("journal")));
        this.jobs = new JobQueue(runner, () -> stopping);
        this.policy = new ActivePolicy(state.cachedPolicy().map(p -> p.answer().policy()).orElse(null),
                permissions(config), sender::emit);
        this.polls = new PollLoop(state, portal, policy, new Commands(state, policy, jobs, new TestRuns(settings), sender::emit), wake,
                () -> stopping);
        this.schedule = new ScheduleLoop(state, config.serverId(), policy, jobs, wake, () -> stopping);
        portal.reportWith(new PortalClient.PollReport() {
            @Override
            public UUID runningJob() {
                return jobs.runningJob();
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

    /** Locks the state directory ({@code agent.lock}); fails with a clear message if another agent holds it. */
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
                        .filter(Objects::nonNull).collect(Collectors.toSet()));
    }

    /**
     * Finishes interrupted jobs, then starts polling, scheduling and sending. Returns at once. The
     * agent-start hooks run first, from the policy the portal answers right now (a newly assigned hook runs
     * at this start, not the next one), or from the cached policy while the portal does not answer.
     */
    public void start() throws IOException {
        runner.recover();
        policy.checkCurrent();
        jobs.submit(() -> {
            PolicyDocument atStart = polls.pollAtStart();
            if (atStart != null) {
                runner.agentStart(atStart);
            }
            return null;
        });
        threads.add(thread(polls, "fleethook-poll"));
        threads.add(thread(schedule, "fleethook-schedule"));
        threads.add(thread(sender, "fleethook-send"));
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
        jobs.cancelRunning();
        wake.wake();
        sendNow.wake();
        // The poll thread may be inside a held poll (up to one interval): end it now.
        threads.stream().filter(t -> t.getName().equals("fleethook-poll")).forEach(Thread::interrupt);
        portal.abortPolls();
        try {
            jobs.shutdownAndAwait();
            for (Thread t : threads) {
                t.join(5000);
            }
            agentStopHooks();
            sender.flushQuietly();
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
        PolicyDocument p = policy.get();
        if (p == null) {
            return;
        }
        try {
            runner.agentStop(p);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "agent-stop hooks: " + Failures.describe(e));
        }
    }

    /** One look at the schedule now (see {@link ScheduleLoop#once}); returns how long to wait before the next. */
    Duration scheduleOnce(Instant now) throws IOException {
        return schedule.once(now);
    }

    static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
