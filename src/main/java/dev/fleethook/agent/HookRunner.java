package dev.fleethook.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Stream;

import dev.fleethook.protocol.HookMode;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.HookSource;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.Sha256;
import dev.fleethook.protocol.StepResult;
import dev.fleethook.protocol.StoredScripts;
import dev.fleethook.protocol.TargetOs;

/**
 * Runs the hooks of one phase. Hooks are opt-in on the agent (local config), stored scripts need a
 * second opt-in, and everything run must really lie under a local allowed root (symbolic links resolved,
 * also for each file of a directory hook): every start passes {@link ProcessGate}, and a policy asking
 * for more is refused and the refusal recorded, never run. Directory hooks run every executable of the folder in
 * alphabetical order, all of them; essential failures fail the phase, optional ones are recorded.
 * An async hook (command, convention or stored source) is started and the phase goes on without waiting
 * for it, but it is bounded like every hook: its timeout kills its whole session, and its own status
 * (Successful / Failed / TimedOut with the reason) is reported when it ends, through the listener given to
 * the constructor; {@link AsyncHooks#await} lets the job wait for it before it reports its end, so that no
 * hook outlives the job (and the agent). A before-hook may print {@code FLEETHOOK_SNAPSHOT_PATH=<dir>}
 * (or Kopia's {@code KOPIA_SNAPSHOT_PATH=<dir>}) to have that folder backed up instead.
 */
public final class HookRunner {

    /**
     * What this agent allows, from its local config. {@code allowedEngineOptions}: the engine options
     * that start a program which this agent allows anyway (names from {@link ProcessGate#PROGRAM_OPTIONS}).
     */
    public record Permissions(boolean hooksEnabled, boolean storedScriptsEnabled, List<Path> allowedRoots,
            Set<String> allowedEngineOptions) {

        public Permissions {
            allowedRoots = allowedRoots == null ? List.of() : List.copyOf(allowedRoots);
            allowedEngineOptions = allowedEngineOptions == null ? Set.of() : Set.copyOf(allowedEngineOptions);
        }

        /** No engine option that starts a program allowed. */
        public Permissions(boolean hooksEnabled, boolean storedScriptsEnabled, List<Path> allowedRoots) {
            this(hooksEnabled, storedScriptsEnabled, allowedRoots, Set.of());
        }

        /** True when {@code path}, with symbolic links and {@code ..} resolved, lies under an allowed root. */
        boolean allows(Path path) {
            return ProcessGate.underRoots(path, allowedRoots);
        }
    }

    /**
     * The job a phase runs for; becomes the hooks' environment. {@code sourcePath}: the folder of a
     * per-folder phase, or the policy's first source for a job-level phase; {@code sourcePaths}: all the
     * policy's sources; {@code callbackCalls}: the Back In Time argument lists (profile id, profile name,
     * reason, extras) a user-callback hook is called with at this moment, in order (see
     * {@link dev.fleethook.protocol.UserCallback}); empty when the moment has no reason code.
     */
    public record Context(String jobId, int attempt, boolean finalAttempt, String sourcePath, String snapshotPath,
            Integer preStatus, Integer backupStatus, String server, String policy, String version, String snapshotId,
            List<String> sourcePaths, List<List<String>> callbackCalls) {

        public Context(String jobId, int attempt, boolean finalAttempt, String sourcePath, String snapshotPath,
                Integer preStatus, Integer backupStatus, String server, String policy, String version,
                String snapshotId, List<String> sourcePaths) {
            this(jobId, attempt, finalAttempt, sourcePath, snapshotPath, preStatus, backupStatus, server, policy, version,
                    snapshotId, sourcePaths, List.of());
        }

        public Context(String jobId, int attempt, boolean finalAttempt, String sourcePath, String snapshotPath,
                Integer preStatus, Integer backupStatus, String server, String policy, String version,
                String snapshotId) {
            this(jobId, attempt, finalAttempt, sourcePath, snapshotPath, preStatus, backupStatus, server, policy, version,
                    snapshotId, sourcePath == null ? List.of() : List.of(sourcePath));
        }
    }

    /** One hook's run; {@code status} is a ScriptStatus code. */
    public record Run(int index, HookPhase phase, String sourcePath, int status, ScriptRunner.Outcome outcome,
            String detail) {
    }

    /** The phase's runs, whether an essential hook failed, and a snapshot path a before-hook asked for. */
    public record PhaseResult(List<Run> runs, boolean failed, String redirect) {
    }

    /**
     * The async hooks started and not yet ended, per job id. Each runs on a thread of its own and is
     * bounded by its own timeout (after which {@link ScriptRunner} kills its session), so {@link #await}
     * returns at the latest about that timeout (plus the kill's few seconds) after the last one started.
     */
    public static final class AsyncHooks {

        private record Started(Thread thread, Instant bound) {
        }

        private final Map<String, List<Started>> running = new ConcurrentHashMap<>();

        void start(String jobId, Thread thread, Duration timeout) {
            // The timeout, then ScriptRunner's kill (waits up to 5 s) and output grace, with room to spare.
            Instant bound = Instant.now().plus(timeout).plus(KILL_MARGIN);
            running.computeIfAbsent(jobId, k -> new CopyOnWriteArrayList<>()).add(new Started(thread, bound));
            thread.start();
        }

        /**
         * Waits until every async hook started for {@code jobId} has ended and been reported (each at most its
         * timeout plus {@link #KILL_MARGIN}). Returns the number still running after that (0 unless the
         * agent itself is stuck); interrupted, it returns at once with what is still running.
         */
        public int await(String jobId) {
            List<Started> started = running.remove(jobId);
            if (started == null) {
                return 0;
            }
            int left = 0;
            for (Started s : started) {
                try {
                    long ms = Math.max(1, Duration.between(Instant.now(), s.bound()).toMillis());
                    s.thread().join(ms);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                left += s.thread().isAlive() ? 1 : 0;
            }
            return left;
        }

        /** How far past its timeout an async hook may take to be killed and reported. */
        static final Duration KILL_MARGIN = Duration.ofSeconds(30);
    }

    private final Permissions permissions;
    private final ProcessGate gate;
    private final Path scratch;
    private final TargetOs os;
    private final AsyncHooks async;
    private final Consumer<Run> asyncEnded;
    /** Added to every hook's environment (a test run's {@code FLEETHOOK_TEST=1}). */
    private final Map<String, String> extraEnvironment;

    /**
     * For a caller that has no job to report to: async hooks are tracked in a tracker of their own, their
     * end is only logged.
     */
    public HookRunner(Permissions permissions, Path scratch, TargetOs os) {
        this(new ProcessGate(permissions), scratch, os, new AsyncHooks(), run -> LOG.log(System.Logger.Level.INFO,
                "Async hook {0} ended with status {1}: {2}", run.index(), run.status(), run.detail()));
    }

    /**
     * Every hook process starts through {@code gate} (the local permissions are the gate's). Async hooks
     * are registered in {@code async} under the context's job id; {@code asyncEnded} is called with each
     * one's {@link Run} when it ends (on the hook's own thread), which is the one report of that hook.
     */
    public HookRunner(ProcessGate gate, Path scratch, TargetOs os, AsyncHooks async, Consumer<Run> asyncEnded) {
        this(gate, scratch, os, async, asyncEnded, Map.of());
    }

    /** As above, with {@code extraEnvironment} added to every hook's environment (after the standard names). */
    HookRunner(ProcessGate gate, Path scratch, TargetOs os, AsyncHooks async, Consumer<Run> asyncEnded,
            Map<String, String> extraEnvironment) {
        this.permissions = gate.permissions();
        this.gate = gate;
        this.scratch = scratch;
        this.os = os;
        this.async = async;
        this.asyncEnded = asyncEnded;
        this.extraEnvironment = Map.copyOf(extraEnvironment);
    }

    private static final System.Logger LOG = System.getLogger("fleethook.agent");

    /**
     * Runs every hook of {@code phase} in the policy's order. Once one of them failed (whatever its mode),
     * the later ones of the same phase see Rekkord's {@code SUCCESS=0}. An async hook that started is not
     * in the returned runs: its run goes to the {@code asyncEnded} listener when it ends.
     */
    public PhaseResult run(List<PolicyDocument.Hook> hooks, HookPhase phase, Context ctx) {
        List<Run> runs = new ArrayList<>();
        boolean failed = false;
        boolean anyFailed = false;
        String redirect = null;
        for (PolicyDocument.Hook hook : hooks) {
            if (hook.phase() != phase) {
                continue;
            }
            Run run;
            try {
                run = runOne(hook, ctx, anyFailed);
                if (run == null) {
                    continue; // an async hook that started: reported when it ends
                }
            } catch (RuntimeException | Error e) {
                // Every hook ends in a status: whatever broke while preparing or running it makes it Failed.
                run = new Run(hook.index(), hook.phase(), ctx.sourcePath(), ScriptStatus.FAILED.code(), null,
                        "could not run: " + Failures.describe(e));
            }
            runs.add(run);
            boolean bad = ScriptStatus.failedOrTimedOut(run.status());
            anyFailed |= bad;
            if (bad && hook.mode() == HookMode.ESSENTIAL) {
                failed = true;
            }
            if (!bad && run.outcome() != null) {
                String asked = redirectIn(run.outcome().outputTail());
                if (asked != null) {
                    redirect = asked;
                }
            }
        }
        return new PhaseResult(runs, failed, redirect);
    }

    /** The hook's run; null for an async hook that started (its run is reported when it ends). */
    private Run runOne(PolicyDocument.Hook hook, Context ctx, boolean earlierFailed) {
        if (!permissions.hooksEnabled()) {
            return refused(hook, ctx, "hooks are not enabled on this agent (local config)");
        }
        Map<String, String> env = environment(hook.phase(), ctx);
        env.putAll(extraEnvironment);
        if (earlierFailed && env.containsKey("SUCCESS")) {
            markFailed(env);
        }
        Duration timeout = Duration.ofSeconds(hook.timeoutSeconds());
        switch (hook.source()) {
            case CONVENTION, COMMAND -> {
                List<String> argv = hook.source() == HookSource.CONVENTION
                        ? (hook.path() == null ? List.of() : List.of(hook.path()))
                        : hook.command();
                if (argv == null || argv.isEmpty()) {
                    return new Run(hook.index(), hook.phase(), ctx.sourcePath(), ScriptStatus.SKIPPED.code(), null,
                            "no script folder for this OS");
                }
                Path program = Path.of(argv.get(0));
                String outside = gate.rootRefusal(argv.get(0));
                if (outside != null) {
                    return refused(hook, ctx, outside);
                }
                if (hook.source() == HookSource.CONVENTION && !Files.exists(program)) {
                    // Druva's convention: a missing script is Skipped. Anything else that cannot run is Failed.
                    return new Run(hook.index(), hook.phase(), ctx.sourcePath(), ScriptStatus.SKIPPED.code(), null,
                            argv.get(0) + " is missing");
                }
                int programIndex = 0;
                if (hook.source() == HookSource.CONVENTION) {
                    List<String> wrapped = Platform.of(os).scriptCommand(argv.get(0), List.of());
                    programIndex = wrapped.size() - 1;
                    argv = wrapped;
                }
                return execute(hook, ctx, gate.policyProgram(argv, programIndex, null), env, timeout, null);
            }
            case DIRECTORY -> {
                Path dir = Path.of(hook.path());
                String outside = gate.rootRefusal(hook.path());
                if (outside != null) {
                    return refused(hook, ctx, outside);
                }
                return directory(hook, ctx, dir, env, timeout);
            }
            case USER_CALLBACK -> {
                String outside = hook.path() == null ? "no user-callback program" : gate.rootRefusal(hook.path());
                if (outside != null) {
                    return refused(hook, ctx, outside);
                }
                return userCallback(hook, ctx, Path.of(hook.path()), env, timeout);
            }
            case STORED -> {
                if (!permissions.storedScriptsEnabled()) {
                    return refused(hook, ctx, "stored scripts are not enabled on this agent (local config)");
                }
                if (hook.script() == null || !Sha256.hex(hook.script()).equalsIgnoreCase(hook.sha256())) {
                    return refused(hook, ctx, "the stored script does not match its SHA-256");
                }
                return stored(hook, ctx, env, timeout);
            }
            default -> {
                return refused(hook, ctx, "unknown hook source");
            }
        }
    }

    /**
     * Rekkord's directory hook: every executable file of the folder, in alphabetical order, all of them,
     * within one timeout for the whole hook (so the window check of the policy validator holds). The
     * record names every file and what became of it: its exit, "timed out", "not run: the hook's timeout
     * was used up", or why it was left out. A file that starts with {@code #!} but is not executable was
     * meant to run, so it fails the hook; other non-executable files (a README) are listed, not failed.
     */
    private Run directory(PolicyDocument.Hook hook, Context ctx, Path dir, Map<String, String> env, Duration timeout) {
        if (!Files.isDirectory(dir)) {
            return new Run(hook.index(), hook.phase(), ctx.sourcePath(), ScriptStatus.FAILED.code(), null,
                    dir + (Files.exists(dir) ? " is not a folder" : " does not exist"));
        }
        List<Path> entries;
        try (Stream<Path> files = Files.list(dir)) {
            entries = files.sorted().toList();
        } catch (IOException | RuntimeException e) {
            return new Run(hook.index(), hook.phase(), ctx.sourcePath(), ScriptStatus.FAILED.code(), null,
                    "cannot list " + dir + ": " + Failures.describe(e));
        }
        StringBuilder output = new StringBuilder();
        List<String> detail = new ArrayList<>();
        boolean anyFailed = false;
        boolean anyTimedOut = false;
        int ran = 0;
        java.time.Instant start = java.time.Instant.now();
        java.time.Instant end = start.plus(timeout);
        Integer lastExit = 0;
        env = new HashMap<>(env);
        for (Path file : entries) {
            String name = file.getFileName().toString();
            if (name.indexOf('\uFFFD') >= 0) {
                // Bytes that are not UTF-8: the file cannot be named exactly to start it.
                anyFailed |= Files.isExecutable(file);
                detail.add(name + ": not run, its name is not valid UTF-8");
                continue;
            }
            if (Files.isDirectory(file)) {
                detail.add(name + ": not run (a folder)");
                continue;
            }
            if (!Files.isRegularFile(file)) {
                detail.add(name + ": not run (not a regular file)");
                continue;
            }
            if (!Files.isExecutable(file)) {
                if (startsWithShebang(file)) {
                    anyFailed = true;
                    detail.add(name + ": not run, not executable (a script with #!, mode " + mode(file) + ")");
                } else {
                    detail.add(name + ": not run (not executable)");
                }
                continue;
            }
            Duration left = Duration.between(java.time.Instant.now(), end);
            if (left.isNegative() || left.isZero()) {
                anyTimedOut = true;
                detail.add(name + ": not run, the hook's timeout of " + timeout.toSeconds() + " s was used up");
                continue;
            }
            ProcessGate.Decision entry = gate.policyProgram(List.of(file.toString()), 0, dir);
            if (!entry.allowed()) {
                // A symbolic link in the folder that leads outside the allowed roots: refused, never run.
                anyFailed = true;
                detail.add(name + ": refused, " + entry.refusal());
                continue;
            }
            ScriptRunner.Outcome o = ScriptRunner.run(entry.launch(), env, left, null);
            ran++;
            output.append(o.outputTail());
            detail.add(name + ": " + (o.timedOut() ? "timed out (the hook's " + timeout.toSeconds() + " s were used up)"
                    : o.exitCode() == null ? "failed" : "exit " + o.exitCode())
                    + (o.error() != null ? " (" + o.error() + ")" : ""));
            if (!o.succeeded()) {
                anyFailed = true;
                anyTimedOut |= o.timedOut();
                lastExit = o.exitCode();
                if (env.containsKey("SUCCESS")) {
                    // Rekkord: once a hook of the phase failed, the later ones see SUCCESS=0.
                    markFailed(env);
                }
            }
        }
        long duration = Duration.between(start, java.time.Instant.now()).toMillis();
        String tail = StepResult.tail(output);
        int status = anyTimedOut ? ScriptStatus.TIMED_OUT.code()
                : anyFailed ? ScriptStatus.FAILED.code() : ScriptStatus.SUCCEEDED.code();
        String summary = (ran == 0 ? "no executable in " + dir + (detail.isEmpty() ? "" : "; ") : "")
                + String.join(", ", detail);
        return new Run(hook.index(), hook.phase(), ctx.sourcePath(), status,
                new ScriptRunner.Outcome(lastExit, duration, anyTimedOut, false, tail, null), summary);
    }

    /**
     * Back In Time's user-callback: the one executable, called once per reason of this moment with
     * {@code <profile id> <profile name> <reason> [extra…]}, one after the other within the hook's timeout.
     * Any non-zero exit fails the hook (at reason 1, an essential hook so cancels the backup, as Back In
     * Time says). The record names each reason and its exit.
     */
    private Run userCallback(PolicyDocument.Hook hook, Context ctx, Path program, Map<String, String> env,
            Duration timeout) {
        if (ctx.callbackCalls() == null || ctx.callbackCalls().isEmpty()) {
            return new Run(hook.index(), hook.phase(), ctx.sourcePath(), ScriptStatus.SKIPPED.code(), null,
                    "no Back In Time reason at this moment");
        }
        java.time.Instant start = java.time.Instant.now();
        java.time.Instant end = start.plus(timeout);
        StringBuilder output = new StringBuilder();
        List<String> detail = new ArrayList<>();
        boolean failed = false;
        boolean timedOut = false;
        Integer lastExit = 0;
        for (List<String> arguments : ctx.callbackCalls()) {
            String reason = "reason " + (arguments.size() > 2 ? String.join(" ", arguments.subList(2, Math.min(4,
                    arguments.size()))) : "?");
            Duration left = Duration.between(java.time.Instant.now(), end);
            if (left.isNegative() || left.isZero()) {
                timedOut = true;
                detail.add(reason + ": not called, the hook's timeout of " + timeout.toSeconds() + " s was used up");
                continue;
            }
            List<String> argv = Platform.of(os).scriptCommand(program.toString(), arguments);
            ProcessGate.Decision decision = gate.policyProgram(argv, argv.size() - 1 - arguments.size(),
                    program.getParent());
            if (!decision.allowed()) {
                failed = true;
                detail.add(reason + ": refused: " + decision.refusal());
                continue;
            }
            ScriptRunner.Outcome o = ScriptRunner.run(decision.launch(), env, left, null);
            output.append(o.outputTail());
            detail.add(reason + ": " + (o.timedOut() ? "timed out" : o.exitCode() == null ? "failed" : "exit " + o.exitCode())
                    + (o.error() != null ? " (" + o.error() + ")" : ""));
            if (!o.succeeded()) {
                failed = true;
                timedOut |= o.timedOut();
                lastExit = o.exitCode();
            }
        }
        long duration = Duration.between(start, java.time.Instant.now()).toMillis();
        String tail = StepResult.tail(output);
        int status = timedOut ? ScriptStatus.TIMED_OUT.code() : failed ? ScriptStatus.FAILED.code()
                : ScriptStatus.SUCCEEDED.code();
        return new Run(hook.index(), hook.phase(), ctx.sourcePath(), status,
                new ScriptRunner.Outcome(lastExit, duration, timedOut, false, tail, null), String.join(", ", detail));
    }

    private static void markFailed(Map<String, String> env) {
        env.put("SUCCESS", "0");
        env.put("FLEETHOOK_SUCCESS", "0");
    }

    private static boolean startsWithShebang(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && head[0] == '#' && head[1] == '!';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private Run stored(PolicyDocument.Hook hook, Context ctx, Map<String, String> env, Duration timeout) {
        if (os != TargetOs.WINDOWS && StoredScripts.hasWindowsLineEndings(hook.script())) {
            return new Run(hook.index(), hook.phase(), ctx.sourcePath(), ScriptStatus.FAILED.code(), null,
                    "the stored script has Windows line endings (CR LF): "
                            + (hook.script().startsWith("#!") ? "its #! line names an interpreter ending in a carriage"
                                    + " return, which does not exist" : "sh would read the carriage return as part of"
                                    + " each command")
                            + ". Save the policy again: the portal now stores scripts with Unix line endings");
        }
        try {
            Path dir = Platform.CURRENT.privateTempFolder(scratch, "stored-");
            boolean windows = os == TargetOs.WINDOWS;
            Path file = dir.resolve(windows ? "script.cmd" : "script.sh");
            // The portal keeps stored scripts with LF (StoredScripts); cmd.exe gets CR LF back.
            Files.writeString(file, windows ? hook.script().replace("\r\n", "\n").replace("\n", "\r\n") : hook.script(),
                    StandardCharsets.UTF_8);
            if (!Platform.CURRENT.windows()) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
            }
            List<String> argv;
            if (windows) {
                argv = List.of("cmd.exe", "/c", file.toString());
            } else if (hook.script().startsWith("#!")) {
                argv = List.of(file.toString());
            } else {
                argv = List.of("sh", "-e", file.toString());
            }
            return execute(hook, ctx, gate.storedScript(argv), env, timeout, dir);
        } catch (IOException | RuntimeException e) {
            return new Run(hook.index(), hook.phase(), ctx.sourcePath(), ScriptStatus.FAILED.code(), null,
                    "cannot write the stored script: " + Failures.describe(e));
        }
    }

    private Run execute(PolicyDocument.Hook hook, Context ctx, ProcessGate.Decision decision, Map<String, String> env,
            Duration timeout, Path cleanup) {
        if (!decision.allowed()) {
            delete(cleanup);
            return refused(hook, ctx, decision.refusal());
        }
        ProcessGate.Launch launch = decision.launch();
        if (hook.mode() == HookMode.ASYNC) {
            String cannot = ScriptRunner.cannotRun(launch.argv());
            if (cannot != null) {
                delete(cleanup);
                return new Run(hook.index(), hook.phase(), ctx.sourcePath(), ScriptStatus.FAILED.code(), null, cannot);
            }
            Thread t = new Thread(() -> {
                Run run;
                try {
                    ScriptRunner.Outcome o = ScriptRunner.run(launch, env, timeout, null);
                    String why = o.timedOut()
                            ? "timed out after " + timeout.toSeconds() + " s; its processes were killed"
                            : o.error() != null ? o.error() : o.exitCode() == null ? null : "exit " + o.exitCode();
                    run = new Run(hook.index(), hook.phase(), ctx.sourcePath(), status(o), o,
                            "ran asynchronously" + (why == null ? "" : ": " + why));
                } catch (RuntimeException | Error e) {
                    run = new Run(hook.index(), hook.phase(), ctx.sourcePath(), ScriptStatus.FAILED.code(), null,
                            "could not run: " + Failures.describe(e));
                } finally {
                    delete(cleanup);
                }
                try {
                    asyncEnded.accept(run);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "Could not report async hook " + hook.index() + ": "
                            + Failures.describe(e));
                }
            }, "async-hook-" + hook.index());
            // Daemon only as a last resort: the job waits for it (AsyncHooks.await) before it reports its end.
            t.setDaemon(true);
            async.start(ctx.jobId(), t, timeout);
            return null;
        }
        ScriptRunner.Outcome o = ScriptRunner.run(launch, env, timeout, null);
        delete(cleanup);
        return new Run(hook.index(), hook.phase(), ctx.sourcePath(), status(o), o, o.error());
    }

    private static int status(ScriptRunner.Outcome o) {
        return o.timedOut() ? ScriptStatus.TIMED_OUT.code()
                : o.succeeded() ? ScriptStatus.SUCCEEDED.code() : ScriptStatus.FAILED.code();
    }

    private Run refused(PolicyDocument.Hook hook, Context ctx, String why) {
        return new Run(hook.index(), hook.phase(), ctx.sourcePath(), ScriptStatus.FAILED.code(), null, "refused: " + why);
    }

    /**
     * The environment of every hook, with Kopia's names so that Kopia's example scripts run unchanged, and
     * Rekkord's {@code SUCCESS} (1/0: did the backup succeed) in the phases after the backup.
     * <p>
     * Kopia's variables in every phase: {@code KOPIA_ACTION} is Kopia's action name where Kopia has one
     * (before-backup = {@code before-snapshot-root}, after-backup = {@code after-snapshot-root},
     * before-folder and after-folder as they are) and the Fleethook phase name where Kopia has none;
     * {@code KOPIA_SOURCE_PATH} is the folder of a per-folder phase and the policy's first source in every
     * job-level phase (all sources in {@code FLEETHOOK_SOURCE_PATHS}); {@code KOPIA_SNAPSHOT_PATH} is what
     * is (or was) backed up for that source: a before-hook's redirect, else the source itself.
     */
    static Map<String, String> environment(HookPhase phase, Context c) {
        Map<String, String> env = new HashMap<>();
        String source = c.sourcePath() == null ? "" : c.sourcePath();
        String snapshot = c.snapshotPath() == null ? source : c.snapshotPath();
        env.put("FLEETHOOK_ACTION", phase.wire());
        env.put("FLEETHOOK_JOB_ID", c.jobId());
        env.put("FLEETHOOK_ATTEMPT", Integer.toString(c.attempt()));
        env.put("FLEETHOOK_FINAL_ATTEMPT", c.finalAttempt() ? "1" : "0");
        env.put("FLEETHOOK_SOURCE_PATH", source);
        env.put("FLEETHOOK_SOURCE_PATHS", c.sourcePaths() == null ? source : String.join("\n", c.sourcePaths()));
        env.put("FLEETHOOK_SNAPSHOT_PATH", snapshot);
        env.put("FLEETHOOK_PRE_STATUS", c.preStatus() == null ? "" : c.preStatus().toString());
        env.put("FLEETHOOK_BACKUP_STATUS", c.backupStatus() == null ? "" : c.backupStatus().toString());
        String success = c.backupStatus() != null && c.backupStatus() == 0 ? "1" : "0";
        env.put("FLEETHOOK_SUCCESS", success);
        if (phase.afterEngine()) { // Rekkord calls these post: SUCCESS means something
            env.put("SUCCESS", success);
        }
        env.put("FLEETHOOK_SERVER", c.server() == null ? "" : c.server());
        env.put("FLEETHOOK_POLICY", c.policy() == null ? "" : c.policy());
        env.put("FLEETHOOK_VERSION", c.version() == null ? "" : c.version());
        env.put("KOPIA_ACTION", switch (phase) {
            case BEFORE_BACKUP -> "before-snapshot-root";
            case AFTER_BACKUP -> "after-snapshot-root";
            default -> phase.wire();
        });
        env.put("KOPIA_SNAPSHOT_ID", c.snapshotId());
        env.put("KOPIA_SOURCE_PATH", source);
        env.put("KOPIA_SNAPSHOT_PATH", snapshot);
        env.put("KOPIA_VERSION", c.version() == null ? "" : c.version());
        return env;
    }

    /** The folder a before-hook asked to back up instead, from its output; null when it asked none. */
    static String redirectIn(String output) {
        String found = null;
        if (output == null) {
            return null;
        }
        for (String line : output.split("\\R")) {
            String l = line.trim();
            for (String key : List.of("FLEETHOOK_SNAPSHOT_PATH=", "KOPIA_SNAPSHOT_PATH=")) {
                if (l.startsWith(key) && l.length() > key.length()) {
                    found = l.substring(key.length()).trim();
                }
            }
        }
        return found;
    }

    private static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a private temp folder; the OS cleans it eventually
        }
    }
}
