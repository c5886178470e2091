package dev.fleethook.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.HookMode;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.TargetOs;
import dev.fleethook.protocol.UserCallback;

/**
 * One whole job: every attempt as {@link AttemptRunner} (Druva's table), the hooks of each phase around
 * the engine, retries with the policy's interval inside the backup window, Cancel, and the reports. Each
 * step is journaled before the next begins, so that {@link #recover} can finish a job an agent crash
 * interrupted: the post-script of an attempt whose pre-script ran still runs.
 * <p>
 * Order inside an attempt: pre-script, before-backup hooks, before-folder hooks (per source path), the
 * engine, after-folder hooks, after-backup hooks, post-script, after-failed-attempt hooks when the backup
 * did not succeed (and was not canceled); after-final-failure hooks once the job has failed for good. An essential before-hook failure means the engine is not executed (NotExecuted); after
 * hooks run whenever the before hooks ran, to clean up; an essential after-hook failure turns a successful
 * backup into PartiallySuccessful.
 */
public final class JobRunner {

    private static final System.Logger LOG = System.getLogger("fleethook.agent");

    /** Where events go: the on-disk spool (durable before it returns). */
    public interface Events {
        void emit(JobEvent event) throws IOException;
    }

    /**
     * What this agent is: its name, local permissions, folders, OS and version. {@code minute} is the
     * unit of the policy's retry interval (a minute, shorter only in tests).
     */
    public record Settings(String serverName, HookRunner.Permissions permissions, Path scratch, Path secrets,
            TargetOs os, String version, Duration minute) {
    }

    /** A job to run: {@code scheduledAt} starts the backup window (for Backup Now, the moment it was asked). */
    public record Request(UUID jobId, String trigger, UUID commandId, Instant scheduledAt, PolicyDocument policy) {
    }

    private final Settings settings;
    private final Events events;
    private final JobJournal journal;
    /** Async hooks still running, per job; every job waits for its own before it reports its end. */
    private final HookRunner.AsyncHooks asyncHooks = new HookRunner.AsyncHooks();
    /** The job this runner runs now (a backup job, a recovered one, or an agent-start/-stop hook job); null between jobs. */
    private volatile UUID current;

    public JobRunner(Settings settings, Events events, JobJournal journal) {
        this.settings = settings;
        this.events = events;
        this.journal = journal;
    }

    /**
     * Runs a job to its end and returns its status; {@code cancel} is the portal's Cancel. Never leaves a
     * job unreported: should anything escape the steps' own handling (a defect of the agent), the job is
     * finished right away the way {@link #recover} finishes a crashed one (the interrupted step Failed with
     * the reason, the post-script run if the pre-script ran, job-finished reported).
     */
    public JobStatus run(Request request, BooleanSupplier cancel) throws IOException {
        current = request.jobId();
        try {
            return runJob(request, cancel);
        } catch (RuntimeException | Error e) {
            String why = "the agent hit an error in this step: " + Failures.describe(e);
            LOG.log(System.Logger.Level.ERROR, "Job " + request.jobId() + ": " + why, e);
            JobJournal.Entry entry = null;
            try {
                entry = journal.unfinished().stream().filter(j -> j.jobId().equals(request.jobId())).findFirst()
                        .orElse(null);
            } catch (IOException | RuntimeException unreadable) {
                // reported below without the journal
            }
            if (entry != null) {
                return finishInterrupted(entry, why);
            }
            awaitAsyncHooks(request.jobId());
            emit(AgentEvents.jobFinished(request.jobId(), null, JobStatus.FAILED, null));
            return JobStatus.FAILED;
        } finally {
            current = null;
        }
    }

    /**
     * The id of the job this runner runs right now, or null between jobs: every job it runs counts (a
     * backup job, a crashed job being finished by {@link #recover}, and the agent-start and agent-stop hook
     * jobs). The daemon's polls name it in {@code Fleethook-Running-Job}, so the portal's abandoned-job
     * detector does not close a job the agent is still running (for example a slow agent-start hook).
     */
    public UUID runningJob() {
        return current;
    }

    private JobStatus runJob(Request request, BooleanSupplier cancel) throws IOException {
        PolicyDocument policy = request.policy();
        UUID job = request.jobId();
        int maxAttempts = policy.retry().count() + 1;
        Integer window = policy.schedule() == null ? null : policy.schedule().windowMinutes();
        Instant deadline = window == null ? null : request.scheduledAt().plus(Duration.ofMinutes(window));
        emit(AgentEvents.jobStarted(job, policy, request.trigger(), maxAttempts, request.commandId()));
        if (deadline != null && !Instant.now().isBefore(deadline)) {
            // A job that cannot start inside its window is Skipped. Back In Time's user-callback hears it as
            // error 2 (a backup was already running): one agent runs one job at a time, so a queued job that
            // missed its window waited for another, or the agent was down.
            skippedCallbacks(policy, job);
            awaitAsyncHooks(job);
            emit(AgentEvents.jobFinished(job, null, JobStatus.SKIPPED, null));
            return JobStatus.SKIPPED;
        }
        JobJournal.Entry entry = new JobJournal.Entry(job, request.trigger(), request.commandId(), Instant.now(),
                deadline, maxAttempts, policy, 1, JobJournal.Stage.PRE, null, null);
        Duration interval = settings.minute().multipliedBy(policy.retry().intervalMinutes());
        AttemptRunner.Result last = null;
        int attempt = 0;
        boolean canceled = false;
        while (attempt < maxAttempts) {
            attempt++;
            boolean surelyFinal = attempt == maxAttempts
                    || (deadline != null && !Instant.now().plus(interval).isBefore(deadline));
            last = attempt(entry, attempt, surelyFinal, cancel, deadline);
            canceled = cancel.getAsBoolean();
            boolean retry = !last.backupSucceeded() && !canceled && attempt < maxAttempts
                    && (deadline == null || Instant.now().plus(interval).isBefore(deadline));
            emit(AgentEvents.attemptFinished(job, attempt, !retry));
            if (!retry) {
                break;
            }
            canceled = !Sleeper.pause(interval, cancel);
            if (canceled) {
                break;
            }
        }
        int backupStatus = last.backup().status();
        JobStatus status = canceled ? JobStatus.CANCELED : jobStatus(backupStatus);
        finish(entry.at(attempt, JobJournal.Stage.DONE, last.pre().status(), backupStatus), status);
        return status;
    }

    /** How long recovery waits for the killed processes of an interrupted step to be gone. */
    static final Duration SESSION_KILL_WAIT = Duration.ofSeconds(10);

    /**
     * Finishes the jobs a previous run of the agent left behind (crash, kill, reboot): first kills what
     * the interrupted step still had running (the sessions in the journal), then runs the post-script.
     */
    public void recover() throws IOException {
        for (JobJournal.Entry e : journal.unfinished()) {
            LOG.log(System.Logger.Level.WARNING, "Finishing job {0} interrupted at attempt {1} ({2})", e.jobId(),
                    e.attempt(), e.stage());
            current = e.jobId();
            try {
                finishInterrupted(e, "interrupted: the agent stopped during this step");
            } catch (RuntimeException | Error broken) {
                // An entry too damaged to finish properly is still reported, never replayed forever.
                LOG.log(System.Logger.Level.ERROR, "Job " + e.jobId() + " could not be finished: "
                        + Failures.describe(broken));
                emit(AgentEvents.jobFinished(e.jobId(), e.attempt(), JobStatus.FAILED, e.backupStatus()));
                journal.remove(e.jobId());
            } finally {
                current = null;
            }
        }
    }

    /**
     * Finishes a job from its journal entry: the step it stood in counts as Failed with {@code why}, the
     * post-script runs if the pre-script ran (again, if it was the one interrupted), the job is reported.
     */
    private JobStatus finishInterrupted(JobJournal.Entry e, String why) throws IOException {
        Integer pre = e.preStatus();
        Integer backup = e.backupStatus();
        PolicyDocument.Scripts scripts = e.policy().scripts();
        if (e.stage() == JobJournal.Stage.PRE) {
            pre = scripts == null || !scripts.enabled() ? ScriptStatus.DISABLED.code() : ScriptStatus.FAILED.code();
            if (pre == ScriptStatus.FAILED.code()) {
                emit(AgentEvents.scriptFinished(e.jobId(), e.attempt(), "pre", AgentEvents.result(pre, null, why, null)));
            }
            backup = BackupStatus.NOT_EXECUTED.code();
            emit(AgentEvents.backupFinished(e.jobId(), e.attempt(),
                    AgentEvents.result(backup, null, "not executed: the agent stopped before the backup", null)));
        } else if (e.stage() == JobJournal.Stage.BACKUP) {
            backup = BackupStatus.FAILED.code();
            emit(AgentEvents.backupFinished(e.jobId(), e.attempt(), AgentEvents.result(backup, null, why, null)));
        }
        if (e.stage() != JobJournal.Stage.DONE) {
            // What the interrupted step started (the engine, a script, a hook, and what they started in their
            // session) must be gone before the post-script runs: a database is not restarted under a backup.
            int killed = ProcessGate.killSessions(e.sessions(), e.bootId(), SESSION_KILL_WAIT);
            if (killed > 0) {
                LOG.log(System.Logger.Level.WARNING, "Job {0}: killed {1} process(es) the interrupted step left running",
                        e.jobId(), killed);
            }
            // "pre ran, post pending": the post-script runs now (again, if it was interrupted itself).
            journal(e.at(e.attempt(), JobJournal.Stage.POST, pre, backup));
            AttemptRunner.Step step = attemptRunner(e.policy(), e.jobId()).post(e.jobId().toString(),
                    baseEnv(e.policy(), e.jobId(), e.attempt(), true), pre, backup);
            emit(AgentEvents.scriptFinished(e.jobId(), e.attempt(), "post", AgentEvents.result(step)));
            if (backup != null) {
                afterFailedAttempt(e.policy(), e.jobId(), e.attempt(), true, pre == null ? ScriptStatus.FAILED.code() : pre,
                        new AttemptRunner.Step(backup, null, null, why));
            }
            emit(AgentEvents.attemptFinished(e.jobId(), e.attempt(), true));
        }
        JobStatus status = jobStatus(backup == null ? BackupStatus.FAILED.code() : backup);
        finish(e.at(e.attempt(), JobJournal.Stage.DONE, pre, backup), status);
        return status;
    }

    /** Runs the agent-start hooks (when the daemon starts) as a job of their own, so they are visible. */
    public JobStatus agentStart(PolicyDocument policy) throws IOException {
        return lifecycle(policy, HookPhase.AGENT_START, UserCallback.APPLICATION_STARTED);
    }

    /**
     * Runs the agent-stop hooks (the daemon shutting down cleanly, after its running job has ended) as a
     * job of their own; their events are spooled and sent now if the portal answers, else at the next start.
     */
    public JobStatus agentStop(PolicyDocument policy) throws IOException {
        return lifecycle(policy, HookPhase.AGENT_STOP, UserCallback.APPLICATION_CLOSED);
    }

    private JobStatus lifecycle(PolicyDocument policy, HookPhase phase, int reason) {
        if (policy.hooks() == null || policy.hooks().stream().noneMatch(h -> h.phase() == phase)) {
            return null;
        }
        UUID job = UUID.randomUUID();
        current = job;
        try {
            emit(AgentEvents.jobStarted(job, policy, phase.wire(), 1, null));
            emit(AgentEvents.attemptStarted(job, 1));
            List<String> sources = sources(policy);
            HookRunner.PhaseResult r = hooks(policy, job, 1, true, phase, first(sources), null, null, null,
                    List.of(callback(policy, reason)));
            emit(AgentEvents.attemptFinished(job, 1, true));
            JobStatus status = r.failed() ? JobStatus.FAILED : JobStatus.SUCCEEDED;
            awaitAsyncHooks(job);
            emit(AgentEvents.jobFinished(job, 1, status, null));
            return status;
        } finally {
            current = null;
        }
    }

    private AttemptRunner.Result attempt(JobJournal.Entry entry, int attempt, boolean finalAttempt,
            BooleanSupplier cancel, Instant deadline) throws IOException {
        UUID job = entry.jobId();
        PolicyDocument policy = entry.policy();
        journal(entry.at(attempt, JobJournal.Stage.PRE, null, null));
        emit(AgentEvents.attemptStarted(job, attempt));
        AtomicInteger preStatus = new AtomicInteger();
        AttemptRunner.Progress progress = new AttemptRunner.Progress() {
            @Override
            public void finished(String step, AttemptRunner.Step result) {
                switch (step) {
                    case "pre" -> {
                        preStatus.set(result.status());
                        journal(entry.at(attempt, JobJournal.Stage.BACKUP, result.status(), null));
                        emit(AgentEvents.scriptFinished(job, attempt, "pre", AgentEvents.result(result)));
                    }
                    case "backup" -> {
                        journal(entry.at(attempt, JobJournal.Stage.POST, preStatus.get(), result.status()));
                        emit(AgentEvents.backupFinished(job, attempt, AgentEvents.result(result)));
                    }
                    default -> emit(AgentEvents.scriptFinished(job, attempt, "post", AgentEvents.result(result)));
                }
            }

            @Override
            public void started(String step) {
                emit(AgentEvents.stepStarted(job, attempt, step));
            }

            @Override
            public void output(String step, String tail) {
                emit(AgentEvents.stepOutput(job, attempt, step, tail));
            }
        };
        AttemptRunner.Engine phase = (c, d) -> backupPhase(policy, job, attempt, finalAttempt, preStatus.get(), c, d);
        AttemptRunner.Result result = attemptRunner(policy, job).run(job.toString(),
                baseEnv(policy, job, attempt, finalAttempt), phase, cancel, deadline, progress);
        journal(entry.at(attempt, JobJournal.Stage.DONE, result.pre().status(), result.backup().status()));
        afterFailedAttempt(policy, job, attempt, finalAttempt, result.pre().status(), result.backup());
        return result;
    }

    /**
     * The after-failed-attempt hooks: at the end of every attempt (after its post-script, before a retry)
     * whose backup did not succeed and was not canceled. A user-callback hook gets Back In Time's reason 4
     * with the error code that fits: 3 when the destination is missing, else 5 with the engine's last line.
     */
    private void afterFailedAttempt(PolicyDocument policy, UUID job, int attempt, boolean finalAttempt, int preStatus,
            AttemptRunner.Step backup) {
        int b = backup.status();
        if (b == BackupStatus.SUCCEEDED.code() || b == BackupStatus.PARTIAL.code()
                || b == BackupStatus.CANCELED.code()) {
            return;
        }
        String output = backup.outcome() != null && backup.outcome().outputTail() != null
                && !backup.outcome().outputTail().isBlank() ? backup.outcome().outputTail() : backup.detail();
        List<String> error = destinationMissing(policy, output)
                ? List.of(Integer.toString(UserCallback.ERROR), Integer.toString(UserCallback.ERROR_NO_DESTINATION))
                : List.of(Integer.toString(UserCallback.ERROR), Integer.toString(UserCallback.ERROR_TAKING_SNAPSHOT),
                        lastLine(output, "backup " + BackupStatus.ofCode(b).name().toLowerCase(java.util.Locale.ROOT)));
        hooks(policy, job, attempt, finalAttempt, HookPhase.AFTER_FAILED_ATTEMPT, first(sources(policy)), null,
                preStatus, b, List.of(callback(policy, error)));
    }

    /** A Skipped job calls only its user-callback hooks (reason 4, error 2), reported under attempt 1. */
    private void skippedCallbacks(PolicyDocument policy, UUID job) {
        if (policy.hooks() == null) {
            return;
        }
        List<PolicyDocument.Hook> callbacks = policy.hooks().stream()
                .filter(h -> h.source() == dev.fleethook.protocol.HookSource.USER_CALLBACK).toList();
        if (callbacks.isEmpty()) {
            return;
        }
        PolicyDocument only = new PolicyDocument(policy.policyId(), policy.policyName(), policy.revision(), policy.os(),
                policy.schedule(), policy.retry(), policy.backup(), policy.scripts(), callbacks);
        hooks(only, job, 1, true, HookPhase.AFTER_FAILED_ATTEMPT, first(sources(policy)), null, null, null,
                List.of(callback(policy, List.of(Integer.toString(UserCallback.ERROR),
                        Integer.toString(UserCallback.ERROR_ALREADY_RUNNING)))));
    }

    /** Back In Time's error 3: the archive folder is not there (and could not be made), or restic finds no repository. */
    static boolean destinationMissing(PolicyDocument policy, String output) {
        PolicyDocument.Backup backup = policy.backup();
        if (backup == null || backup.engine() == null) {
            return false;
        }
        return switch (backup.engine()) {
            case ARCHIVE -> backup.archive() != null && backup.archive().destination() != null
                    && !java.nio.file.Files.isDirectory(Path.of(backup.archive().destination()));
            case RESTIC -> output != null && (output.contains("Is there a repository at the following location?")
                    || output.contains("repository does not exist"));
            default -> false;
        };
    }

    private static String lastLine(String text, String fallback) {
        if (text == null) {
            return fallback;
        }
        String[] lines = text.strip().split("\\R");
        String last = lines.length == 0 ? "" : lines[lines.length - 1].strip();
        return last.isEmpty() ? fallback : last;
    }

    /** One user-callback call: Back In Time's profile id and name (the policy's) followed by {@code reason}. */
    private static List<String> callback(PolicyDocument policy, List<String> reason) {
        List<String> args = new java.util.ArrayList<>();
        args.add(policy.policyId() == null ? "" : policy.policyId());
        args.add(policy.policyName() == null ? "" : policy.policyName());
        args.addAll(reason);
        return List.copyOf(args);
    }

    private static List<String> callback(PolicyDocument policy, int reason) {
        return callback(policy, List.of(Integer.toString(reason)));
    }

    /**
     * What a user-callback hook is told after the backup: reason 3 with the snapshot id and path when the
     * engine made one (the archive file; restic's snapshot id and {@code <repository>/snapshots/<id>}),
     * reason 4 error 6 when it was taken with errors (PartiallySuccessful), then reason 2.
     */
    static List<List<String>> afterBackupCalls(PolicyDocument policy, AttemptRunner.Engine.Result result) {
        List<List<String>> calls = new java.util.ArrayList<>();
        boolean made = result.status() == BackupStatus.SUCCEEDED || result.status() == BackupStatus.PARTIAL;
        Map<String, Object> stats = result.stats();
        String id = null;
        String path = null;
        if (made && stats != null && stats.get("archive") != null) {
            path = stats.get("archive").toString();
            String name = Path.of(path).getFileName().toString();
            id = name.endsWith(".tar.gz") ? name.substring(0, name.length() - ".tar.gz".length()) : name;
        } else if (made && stats != null && stats.get("snapshot_id") != null && policy.backup().restic() != null) {
            id = stats.get("snapshot_id").toString();
            path = policy.backup().restic().repository() + "/snapshots/" + id;
        }
        if (id != null) {
            calls.add(callback(policy, List.of(Integer.toString(UserCallback.SNAPSHOT_TAKEN), id, path)));
            if (result.status() == BackupStatus.PARTIAL) {
                calls.add(callback(policy, List.of(Integer.toString(UserCallback.ERROR),
                        Integer.toString(UserCallback.ERROR_SNAPSHOT_WITH_ERRORS), id)));
            }
        }
        calls.add(callback(policy, UserCallback.BACKUP_ENDED));
        return calls;
    }

    /**
     * The backup phase: before hooks, the engine on the (maybe redirected) sources, after hooks.
     * <p>
     * Sources of hooks: before-folder and after-folder hooks run once per source with that source. The
     * job-level phases (before-backup, after-backup, and agent-start / after-final-failure) run once and get
     * Kopia's snapshot-root meaning: {@code FLEETHOOK_SOURCE_PATH} / {@code KOPIA_SOURCE_PATH} is the
     * policy's <em>first</em> source, {@code FLEETHOOK_SOURCE_PATHS} lists all of them (one per line). A path
     * redirect printed by a before-backup hook therefore replaces the first source only; one printed by a
     * before-folder hook replaces that folder. An after hook runs exactly when its matching before hook ran:
     * after-folder for the folders whose before-folder hooks ran, after-backup whenever before-backup ran.
     */
    private AttemptRunner.Engine.Result backupPhase(PolicyDocument policy, UUID job, int attempt, boolean finalAttempt,
            int preStatus, BooleanSupplier cancel, Instant deadline) {
        long start = System.currentTimeMillis();
        List<String> sources = sources(policy);
        String first = first(sources);
        HookRunner.PhaseResult before = hooks(policy, job, attempt, finalAttempt, HookPhase.BEFORE_BACKUP, first, null,
                preStatus, null, List.of(callback(policy, UserCallback.BACKUP_STARTING)));
        boolean beforeFailed = before.failed();
        Map<String, String> roots = new java.util.LinkedHashMap<>();
        List<String> prepared = new java.util.ArrayList<>();
        for (String source : sources) {
            String root = source.equals(first) && before.redirect() != null ? before.redirect() : source;
            if (!beforeFailed) {
                prepared.add(source);
                HookRunner.PhaseResult folder = hooks(policy, job, attempt, finalAttempt, HookPhase.BEFORE_FOLDER,
                        source, root, preStatus, null);
                beforeFailed |= folder.failed();
                root = folder.redirect() != null ? folder.redirect() : root;
            }
            roots.put(source, root);
        }
        AttemptRunner.Engine.Result result;
        if (beforeFailed) {
            result = new AttemptRunner.Engine.Result(BackupStatus.NOT_EXECUTED, null, System.currentTimeMillis() - start,
                    "not executed: an essential before hook failed");
        } else if (cancel.getAsBoolean()) {
            result = new AttemptRunner.Engine.Result(BackupStatus.CANCELED, null, 0, "canceled before the engine started");
        } else if (deadline != null && !Instant.now().isBefore(deadline)) {
            result = new AttemptRunner.Engine.Result(BackupStatus.WINDOW_EXPIRED, null, 0,
                    "the backup window closed before the engine started");
        } else {
            long engineStart = System.currentTimeMillis();
            Path filesList = null;
            try {
                Map<String, String> env = baseEnv(policy, job, attempt, finalAttempt);
                Filtered filtered = fileFilters(policy, job, attempt, finalAttempt, roots);
                if (filtered.failure() != null) {
                    result = new AttemptRunner.Engine.Result(BackupStatus.FAILED, null,
                            System.currentTimeMillis() - engineStart, filtered.failure(), filtered.stats(Map.of()));
                } else {
                    if (filtered.kept() != null) {
                        filesList = java.nio.file.Files.createTempFile(settings.scratch(), "files-", ".list");
                    }
                    result = Engines.forPolicy(policy.backup(), List.copyOf(new LinkedHashSet<>(roots.values())),
                            gate(job), settings.secrets(), env, filtered.kept(), filesList)
                            .backup(cancel, deadline);
                    if (filtered.kept() != null) {
                        result = new AttemptRunner.Engine.Result(result.status(), result.exitCode(), result.durationMs(),
                                result.outputTail(), filtered.stats(result.stats()));
                    }
                }
            } catch (IOException | RuntimeException | Error e) {
                // The engine's error is the backup's Failed status; the after hooks and the post-script still run.
                result = new AttemptRunner.Engine.Result(BackupStatus.FAILED, null,
                        System.currentTimeMillis() - engineStart, "the backup engine stopped with an error: "
                                + Failures.describe(e));
            } finally {
                if (filesList != null) {
                    try {
                        java.nio.file.Files.deleteIfExists(filesList);
                    } catch (IOException ignored) {
                        // in the agent's private scratch folder
                    }
                }
            }
        }
        boolean afterFailed = false;
        for (String source : prepared) {
            afterFailed |= hooks(policy, job, attempt, finalAttempt, HookPhase.AFTER_FOLDER, source, roots.get(source),
                    preStatus, result.status().code()).failed();
        }
        afterFailed |= hooks(policy, job, attempt, finalAttempt, HookPhase.AFTER_BACKUP, first,
                first == null ? before.redirect() : roots.get(first), preStatus, result.status().code(),
                afterBackupCalls(policy, result)).failed();
        if (afterFailed && result.status() == BackupStatus.SUCCEEDED) {
            return new AttemptRunner.Engine.Result(BackupStatus.PARTIAL, result.exitCode(),
                    result.durationMs(), result.outputTail() + "\n(an essential after hook failed)", result.stats());
        }
        return result;
    }

    /**
     * After the file filters: what they kept (null when the policy has none), how many files they dropped,
     * and the reason the backup fails when an essential filter died.
     */
    private record Filtered(FileFilter.Kept kept, long dropped, long offered, String failure) {
        Map<String, Object> stats(Map<String, Object> engine) {
            Map<String, Object> stats = new java.util.LinkedHashMap<>(engine == null ? Map.of() : engine);
            stats.put("filterOffered", offered);
            stats.put("filterDropped", dropped);
            return stats;
        }
    }

    /**
     * Kiwi's on_file: the policy's file-filter hook, one process per source (its root after redirects),
     * fed the source's files and answering which to keep. Essential: a filter that cannot start, dies or
     * times out fails the backup. Optional: that source is kept whole. Each source's run is reported as a
     * file-filter hook run naming how many files it kept and dropped.
     */
    private Filtered fileFilters(PolicyDocument policy, UUID job, int attempt, boolean finalAttempt,
            Map<String, String> roots) {
        PolicyDocument.Hook hook = policy.hooks() == null ? null : policy.hooks().stream()
                .filter(h -> h.phase() == HookPhase.FILE_FILTER).findFirst().orElse(null);
        if (hook == null) {
            return new Filtered(null, 0, 0, null);
        }
        Set<String> kept = new java.util.HashSet<>();
        List<String> whole = new java.util.ArrayList<>();
        long dropped = 0;
        long offered = 0;
        List<String> excludes = policy.backup().excludes() == null ? List.of() : policy.backup().excludes();
        for (Map.Entry<String, String> source : roots.entrySet()) {
            long start = System.currentTimeMillis();
            HookRunner.Context ctx = new HookRunner.Context(job.toString(), attempt, finalAttempt, source.getKey(),
                    source.getValue(), null, null, settings.serverName(), policy.policyName(), settings.version(),
                    job.toString(), sources(policy));
            String refusal = filterRefusal(policy, hook);
            ProcessGate.Decision decision = refusal != null ? null : gate(job).policyProgram(hook.command(), 0, null);
            if (decision != null && !decision.allowed()) {
                refusal = decision.refusal();
            }
            String failure;
            boolean timedOut = false;
            if (refusal != null) {
                failure = "refused: " + refusal;
            } else {
                try (FileFilter filter = FileFilter.start(decision.launch(),
                        HookRunner.environment(HookPhase.FILE_FILTER, ctx), Duration.ofSeconds(hook.timeoutSeconds()))) {
                    FileFilter.Selection s = filter.filter(Path.of(source.getValue()), excludes);
                    kept.addAll(s.kept());
                    dropped += s.dropped();
                    offered += s.offered();
                    emit(AgentEvents.hookFinished(job, attempt, new HookRunner.Run(hook.index(), HookPhase.FILE_FILTER,
                            source.getKey(), ScriptStatus.SUCCEEDED.code(), new ScriptRunner.Outcome(0,
                                    System.currentTimeMillis() - start, false, false, "", null),
                            "kept " + s.kept().size() + " of " + s.offered() + " files, dropped " + s.dropped())));
                    continue;
                } catch (FileFilter.DiedException e) {
                    failure = "the file filter " + e.getMessage();
                    timedOut = e.timedOut();
                } catch (IOException | RuntimeException e) {
                    failure = "the file filter could not run: " + Failures.describe(e);
                }
            }
            boolean essential = hook.mode() != HookMode.OPTIONAL;
            emit(AgentEvents.hookFinished(job, attempt, new HookRunner.Run(hook.index(), HookPhase.FILE_FILTER,
                    source.getKey(), timedOut ? ScriptStatus.TIMED_OUT.code() : ScriptStatus.FAILED.code(),
                    new ScriptRunner.Outcome(null, System.currentTimeMillis() - start, timedOut, false, "", null),
                    failure + (essential ? "; the backup fails (essential)" : "; every file of " + source.getValue()
                            + " is kept (optional)"))));
            if (essential) {
                return new Filtered(null, dropped, offered, failure + " for " + source.getKey() + " (essential)");
            }
            whole.add(source.getValue());
        }
        return new Filtered(new FileFilter.Kept(kept, whole), dropped, offered, null);
    }

    /** Why this agent will not run the file filter; null when it will. */
    private String filterRefusal(PolicyDocument policy, PolicyDocument.Hook hook) {
        if (!settings.permissions().hooksEnabled()) {
            return "hooks are not enabled on this agent (local config)";
        }
        if (policy.backup().engine() == dev.fleethook.protocol.BackupEngine.COMMAND) {
            return "the command engine cannot be told which files to back up";
        }
        return null;
    }

    private static List<String> sources(PolicyDocument policy) {
        return policy.backup() == null || policy.backup().sources() == null ? List.of() : policy.backup().sources();
    }

    private static String first(List<String> sources) {
        return sources.isEmpty() ? null : sources.get(0);
    }

    private HookRunner.PhaseResult hooks(PolicyDocument policy, UUID job, int attempt, boolean finalAttempt,
            HookPhase phase, String sourcePath, String snapshotPath, Integer preStatus, Integer backupStatus) {
        return hooks(policy, job, attempt, finalAttempt, phase, sourcePath, snapshotPath, preStatus, backupStatus,
                List.of());
    }

    private HookRunner.PhaseResult hooks(PolicyDocument policy, UUID job, int attempt, boolean finalAttempt,
            HookPhase phase, String sourcePath, String snapshotPath, Integer preStatus, Integer backupStatus,
            List<List<String>> callbackCalls) {
        List<PolicyDocument.Hook> hooks = policy.hooks() == null ? List.of() : policy.hooks();
        if (hooks.stream().noneMatch(h -> h.phase() == phase)) {
            return new HookRunner.PhaseResult(List.of(), false, null);
        }
        HookRunner.Context ctx = new HookRunner.Context(job.toString(), attempt, finalAttempt, sourcePath, snapshotPath,
                preStatus, backupStatus, settings.serverName(), policy.policyName(), settings.version(), job.toString(),
                sources(policy), callbackCalls);
        emit(AgentEvents.hooksStarted(job, attempt, phase,
                phase == HookPhase.BEFORE_FOLDER || phase == HookPhase.AFTER_FOLDER ? sourcePath : null));
        HookRunner.PhaseResult result = new HookRunner(gate(job), settings.scratch(), settings.os(), asyncHooks,
                run -> emit(AgentEvents.hookFinished(job, attempt, run))).run(hooks, phase, ctx);
        for (HookRunner.Run run : result.runs()) {
            emit(AgentEvents.hookFinished(job, attempt, run));
        }
        return result;
    }

    private void finish(JobJournal.Entry entry, JobStatus status) throws IOException {
        if (status == JobStatus.FAILED) {
            hooks(entry.policy(), entry.jobId(), entry.attempt(), true, HookPhase.AFTER_FINAL_FAILURE,
                    first(sources(entry.policy())), null, entry.preStatus(), entry.backupStatus());
        }
        awaitAsyncHooks(entry.jobId());
        emit(AgentEvents.jobFinished(entry.jobId(), entry.attempt(), status, entry.backupStatus()));
        journal.remove(entry.jobId());
    }

    /**
     * Waits for the async hooks {@code job} started (each bounded by its own timeout, which kills its
     * session) so that they are reported before the job and none outlives it, nor the agent.
     */
    private void awaitAsyncHooks(UUID job) {
        int left = asyncHooks.await(job.toString());
        if (left > 0) {
            LOG.log(System.Logger.Level.ERROR, "Job {0}: {1} async hook(s) did not end within their timeout", job, left);
        }
    }

    private AttemptRunner attemptRunner(PolicyDocument policy, UUID job) {
        PolicyDocument.Scripts scripts = policy.scripts() != null ? policy.scripts()
                : new PolicyDocument.Scripts(false, null, null, null, false, null);
        return new AttemptRunner(scripts, settings.os(), gate(job));
    }

    /**
     * The gate every process of {@code job} starts through: the local permissions, and the journal told
     * each session id (durably) so that recovery after a crash can kill what was left running.
     */
    private ProcessGate gate(UUID job) {
        return new ProcessGate(settings.permissions(), session -> {
            try {
                journal.processStarted(job, session);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "Could not journal process " + session + " of job " + job + ": "
                        + e.getMessage());
            }
        });
    }

    /** The environment of the pre/post-scripts and the engine (hooks get theirs from {@link HookRunner}). */
    private Map<String, String> baseEnv(PolicyDocument policy, UUID job, int attempt, boolean finalAttempt) {
        Map<String, String> env = new HashMap<>();
        env.put("FLEETHOOK_JOB_ID", job.toString());
        env.put("FLEETHOOK_ATTEMPT", Integer.toString(attempt));
        env.put("FLEETHOOK_FINAL_ATTEMPT", finalAttempt ? "1" : "0");
        env.put("FLEETHOOK_SERVER", settings.serverName());
        env.put("FLEETHOOK_POLICY", policy.policyName() == null ? "" : policy.policyName());
        env.put("FLEETHOOK_VERSION", settings.version());
        return env;
    }

    static JobStatus jobStatus(int backupStatus) {
        if (backupStatus == BackupStatus.SUCCEEDED.code()) {
            return JobStatus.SUCCEEDED;
        }
        if (backupStatus == BackupStatus.PARTIAL.code()) {
            return JobStatus.PARTIAL;
        }
        return backupStatus == BackupStatus.CANCELED.code() ? JobStatus.CANCELED : JobStatus.FAILED;
    }

    /**
     * Spools an event. A full or broken disk must not stop a job halfway (a stopped database would stay
     * stopped without its post-script), so failures here are logged and the job goes on.
     */
    private void emit(JobEvent event) {
        try {
            events.emit(event);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Could not spool a " + event.type().wire() + " event: " + e.getMessage());
        }
    }

    private void journal(JobJournal.Entry entry) {
        try {
            journal.write(entry);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Could not journal job " + entry.jobId() + ": " + e.getMessage());
        }
    }
}
