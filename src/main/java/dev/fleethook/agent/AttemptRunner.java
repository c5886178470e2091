package dev.fleethook.agent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.TargetOs;

/**
 * One attempt of a job, exactly as Druva Phoenix's table says:
 * <pre>
 * pre-script            backup runs?                      post-script runs?
 * Successful            yes                               yes (Skipped if missing)
 * Failed / TimedOut     only if "skip backup" is off      yes
 * Skipped (missing)     only if "skip backup" is off      no (Skipped)
 * Disabled              yes                               no
 * </pre>
 * Cancel during the pre-script lets it finish, cancels the backup and runs the post-script. A backup
 * window expiring during the pre-script stops it (Failed) and the post-script runs.
 */
public final class AttemptRunner {

    /** What runs the backup phase; it must stop soon after {@code cancel} turns true. */
    public interface Engine {
        Result backup(BooleanSupplier cancel, Instant deadline);

        /** {@code stats}: what the engine counted (files, bytes, snapshot id), reported as given. */
        record Result(BackupStatus status, Integer exitCode, long durationMs, String outputTail,
                Map<String, Object> stats) {
            public Result(BackupStatus status, Integer exitCode, long durationMs, String outputTail) {
                this(status, exitCode, durationMs, outputTail, null);
            }
        }
    }

    /** One step's result with its status code, as reported to the portal. */
    public record Step(int status, ScriptRunner.Outcome outcome, Map<String, Object> stats, String detail) {
        public Step(int status, ScriptRunner.Outcome outcome) {
            this(status, outcome, null, null);
        }

        /** A step that did not run, and why (shown in the portal). */
        static Step notRun(int status, String why) {
            return new Step(status, null, null, why);
        }
    }

    public record Result(Step pre, Step backup, Step post) {
        public boolean backupSucceeded() {
            return backup.status() == BackupStatus.SUCCEEDED.code()
                    || backup.status() == BackupStatus.PARTIAL.code();
        }
    }

    /** Told about each step as it ends, before the next begins (events, the crash journal). */
    public interface Progress {
        Progress NONE = (step, result) -> {
        };

        /** {@code step} is "pre", "backup" or "post". */
        void finished(String step, Step result);

        /** The step begins (only steps that run: a script that is disabled, missing or refused does not). */
        default void started(String step) {
        }

        /** The running script's output so far (its last 16 KiB), at most every 2 s while it grows. */
        default void output(String step, String tail) {
        }
    }

    private final PolicyDocument.Scripts scripts;
    private final TargetOs os;
    private final HookRunner.Permissions permissions;
    private final ProcessGate gate;

    public AttemptRunner(PolicyDocument.Scripts scripts, TargetOs os, HookRunner.Permissions permissions) {
        this(scripts, os, new ProcessGate(permissions));
    }

    /** The pre/post-scripts start through {@code gate} (the local permissions are the gate's). */
    public AttemptRunner(PolicyDocument.Scripts scripts, TargetOs os, ProcessGate gate) {
        this.scripts = scripts;
        this.os = os;
        this.permissions = gate.permissions();
        this.gate = gate;
    }

    /** For tests of the table alone: every script folder allowed. */
    AttemptRunner(PolicyDocument.Scripts scripts, TargetOs os) {
        this(scripts, os, new HookRunner.Permissions(true, false, List.of(Path.of("/"))));
    }

    public Result run(String jobId, Map<String, String> env, Engine engine, BooleanSupplier cancel, Instant deadline) {
        return run(jobId, env, engine, cancel, deadline, Progress.NONE);
    }

    public Result run(String jobId, Map<String, String> env, Engine engine, BooleanSupplier cancel, Instant deadline,
            Progress progress) {
        // --- pre-script
        Step pre = pre(jobId, env, deadline, progress);
        progress.finished("pre", pre);

        // --- backup
        boolean windowExpired = pre.outcome() != null && pre.outcome().windowExpired();
        Step backup;
        int ps = pre.status();
        boolean preBad = ScriptStatus.failedOrTimedOut(ps) || ps == ScriptStatus.SKIPPED.code();
        if (windowExpired || (deadline != null && !Instant.now().isBefore(deadline))) {
            backup = Step.notRun(BackupStatus.WINDOW_EXPIRED.code(), "the backup window closed during the pre-script");
        } else if (cancel.getAsBoolean()) {
            backup = Step.notRun(BackupStatus.CANCELED.code(), "canceled during the pre-script");
        } else if (preBad && scripts.skipBackupIfPreScriptFails()) {
            backup = Step.notRun(BackupStatus.NOT_EXECUTED.code(), "not executed: the pre-script "
                    + (ps == ScriptStatus.SKIPPED.code() ? "is missing" : ps == ScriptStatus.TIMED_OUT.code()
                            ? "timed out" : "failed")
                    + " and the policy skips the backup then");
        } else {
            progress.started("backup");
            long started = System.currentTimeMillis();
            Engine.Result r;
            try {
                r = engine.backup(cancel, deadline);
            } catch (RuntimeException | Error e) {
                // Whatever broke inside the engine or its hooks, the backup is Failed and the post-script runs.
                r = new Engine.Result(BackupStatus.FAILED, null, System.currentTimeMillis() - started,
                        "the backup stopped with an error: " + Failures.describe(e));
            }
            backup = new Step(r.status().code(), new ScriptRunner.Outcome(r.exitCode(), r.durationMs(), false,
                    r.status() == BackupStatus.WINDOW_EXPIRED, r.outputTail(), null), r.stats(), null);
        }
        progress.finished("backup", backup);

        // --- post-script
        Step post = post(jobId, env, ps, backup.status(), null, progress);
        progress.finished("post", post);
        return new Result(pre, backup, post);
    }

    /**
     * The pre-script with Druva's arguments {@code [script, jobId]}: Disabled when scripts are off, Skipped when
     * it is missing, Failed "refused: …" when the local config or allowed roots refuse it; {@code deadline}
     * (the backup window; may be null) stops it like its timeout does.
     */
    public Step pre(String jobId, Map<String, String> env, Instant deadline) {
        return pre(jobId, env, deadline, Progress.NONE);
    }

    /** As {@link #pre(String, Map, Instant)}, telling {@code progress} when it starts and what it prints. */
    Step pre(String jobId, Map<String, String> env, Instant deadline, Progress progress) {
        if (!scripts.enabled()) {
            return Step.notRun(ScriptStatus.DISABLED.code(), "custom scripts are disabled in the policy");
        } else if (missing(scripts.preScript()) != null) {
            return Step.notRun(ScriptStatus.SKIPPED.code(), missing(scripts.preScript()));
        } else if (refusal(scripts.preScript()) != null) {
            return refused(scripts.preScript());
        }
        progress.started("pre");
        return script(scripts.preScript(), List.of(jobId), env(env, null, null), deadline,
                tail -> progress.output("pre", tail));
    }

    /**
     * The post-script of an attempt whose pre-script ended with {@code preStatus} and backup with
     * {@code backupStatus}; also what the crash journal replays after an agent restart.
     */
    public Step post(String jobId, Map<String, String> env, int preStatus, int backupStatus) {
        return post(jobId, env, preStatus, backupStatus, null, Progress.NONE);
    }

    /**
     * {@link #post(String, Map, int, int)} stopped at {@code deadline} at the latest (null: only its timeout),
     * telling {@code progress} when the post-script starts and what it prints.
     */
    Step post(String jobId, Map<String, String> env, int preStatus, int backupStatus, Instant deadline,
            Progress progress) {
        if (preStatus == ScriptStatus.DISABLED.code()) {
            return Step.notRun(ScriptStatus.DISABLED.code(), "custom scripts are disabled in the policy");
        }
        if (preStatus == ScriptStatus.SKIPPED.code()) {
            return Step.notRun(ScriptStatus.SKIPPED.code(), "not run: the pre-script is missing");
        }
        if (missing(scripts.postScript()) != null) {
            return Step.notRun(ScriptStatus.SKIPPED.code(), missing(scripts.postScript()));
        }
        if (refusal(scripts.postScript()) != null) {
            return refused(scripts.postScript());
        }
        // The post-script always runs to its end once started: only its own timeout stops it.
        progress.started("post");
        return script(scripts.postScript(), List.of(jobId, Integer.toString(preStatus), Integer.toString(backupStatus)),
                env(env, preStatus, backupStatus), deadline, tail -> progress.output("post", tail));
    }

    /**
     * A script's step, run through the gate (the script's real path under an allowed root, its folder as
     * the working folder): its outcome's status, Failed with "refused: …" when the gate refuses it, or
     * Failed with the reason when running it threw.
     */
    private Step script(String script, List<String> arguments, Map<String, String> env, Instant deadline,
            java.util.function.Consumer<String> output) {
        try {
            ProcessGate.Decision decision = gate.policyProgram(command(script, arguments),
                    os == TargetOs.WINDOWS ? 2 : 0, Path.of(script).getParent());
            if (!decision.allowed()) {
                return new Step(ScriptStatus.FAILED.code(),
                        new ScriptRunner.Outcome(null, 0, false, false, "", "refused: " + decision.refusal()));
            }
            ScriptRunner.Outcome o = ScriptRunner.run(decision.launch(), env, timeout(), deadline, () -> false, output);
            return new Step(scriptStatus(o), o);
        } catch (RuntimeException | Error e) {
            return new Step(ScriptStatus.FAILED.code(),
                    new ScriptRunner.Outcome(null, 0, false, false, "", "could not run: " + Failures.describe(e)));
        }
    }

    /**
     * Druva's "missing" (Skipped): no script folder for this OS, or no file at the convention's path. A file
     * that is there but cannot run (not executable, a folder, Windows line endings) is not missing: running
     * it fails with the reason (Failed). Null when the file is there.
     */
    static String missing(String script) {
        if (script == null) {
            return "no script folder for this OS";
        }
        try {
            Path p = Path.of(script);
            return Files.exists(p) || Files.isSymbolicLink(p) ? null : script + " is missing";
        } catch (RuntimeException e) {
            return null; // not a usable path: running it fails with the reason
        }
    }

    /** Why this agent will not run a script the policy names (local opt-in, allowed roots); null if it will. */
    String refusal(String script) {
        if (!permissions.hooksEnabled()) {
            return "scripts and hooks are not enabled on this agent (local config)";
        }
        return gate.rootRefusal(script);
    }

    private Step refused(String script) {
        return new Step(ScriptStatus.FAILED.code(),
                new ScriptRunner.Outcome(null, 0, false, false, "", "refused: " + refusal(script)));
    }

    /**
     * Druva's argument convention: argv is [script path, job id] for the pre-script and [script path, job
     * id, pre-script status, backup status] for the post-script, so a shell script reads the job id as
     * {@code $1} ({@code %1} in a .bat) and its own path as {@code $0}.
     */
    List<String> command(String script, List<String> arguments) {
        return Platform.of(os).scriptCommand(script, arguments);
    }

    private Duration timeout() {
        return scripts.timeoutSeconds() == null ? null : Duration.ofSeconds(scripts.timeoutSeconds());
    }

    private static int scriptStatus(ScriptRunner.Outcome o) {
        if (o.timedOut()) {
            return ScriptStatus.TIMED_OUT.code();
        }
        return o.succeeded() ? ScriptStatus.SUCCEEDED.code() : ScriptStatus.FAILED.code();
    }

    private static Map<String, String> env(Map<String, String> base, Integer pre, Integer backup) {
        Map<String, String> env = new HashMap<>(base);
        if (pre != null) {
            env.put("FLEETHOOK_PRE_STATUS", pre.toString());
        }
        if (backup != null) {
            env.put("FLEETHOOK_BACKUP_STATUS", backup.toString());
            env.put("FLEETHOOK_SUCCESS", backup == BackupStatus.SUCCEEDED.code() ? "1" : "0");
        }
        return env;
    }
}
