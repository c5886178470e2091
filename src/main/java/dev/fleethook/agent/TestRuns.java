package dev.fleethook.agent;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.HookMode;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.HookSource;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.StepResult;
import dev.fleethook.protocol.TestRun;
import dev.fleethook.protocol.UserCallback;

/**
 * "Test this hook now" on the agent: runs the one pre-script, post-script or hook a {@code test-run} command
 * names, from the policy of the same poll answer, outside any job (no job events, no journal, no alert). It
 * runs exactly as in a job — through the {@link ProcessGate} with every local opt-in and allowed root, the
 * policy's timeout, Druva's arguments and the {@code FLEETHOOK_*} / {@code KOPIA_*} environment — plus
 * {@code FLEETHOOK_TEST=1}, with the test run's id as the job id. An async hook is waited for (a test wants
 * its result); a pre/post-script without a timeout is stopped after
 * {@link TestRun#MAX_SECONDS_WITHOUT_TIMEOUT} seconds. Never throws: every outcome is a {@link StepResult}.
 */
final class TestRuns {

    private final JobRunner.Settings settings;

    TestRuns(JobRunner.Settings settings) {
        this.settings = settings;
    }

    /** Runs the test {@code id} asks for with {@code policy} (null when none is assigned) and returns its result. */
    StepResult run(UUID id, TestRun test, PolicyDocument policy) {
        try {
            if (policy == null) {
                return notRun(ScriptStatus.FAILED, "no policy is assigned to this server");
            }
            if (test == null || test.target() == null) {
                return notRun(ScriptStatus.FAILED, "the portal did not say what to test (a newer portal?)");
            }
            return switch (test.target()) {
                case PRE_SCRIPT -> AgentEvents.result(attemptRunner(policy).pre(id.toString(), env(policy, id),
                        deadline(policy)));
                case POST_SCRIPT -> AgentEvents.result(attemptRunner(policy).post(id.toString(), env(policy, id),
                        orDefault(test.preStatus(), ScriptStatus.SUCCEEDED.code()),
                        orDefault(test.backupStatus(), BackupStatus.SUCCEEDED.code()), deadline(policy),
                        AttemptRunner.Progress.NONE));
                case HOOK -> hook(id, test.hookIndex(), policy);
            };
        } catch (RuntimeException | Error e) {
            return notRun(ScriptStatus.FAILED, "could not run: " + Failures.describe(e));
        }
    }

    private StepResult hook(UUID id, Integer index, PolicyDocument policy) {
        Optional<PolicyDocument.Hook> found = policy.hooks() == null || index == null ? Optional.empty()
                : policy.hooks().stream().filter(h -> h.index() == index).findFirst();
        if (found.isEmpty()) {
            return notRun(ScriptStatus.FAILED, "revision " + policy.revision() + " of the policy has no hook " + index);
        }
        PolicyDocument.Hook h = found.get();
        if (h.phase() == HookPhase.FILE_FILTER) {
            return notRun(ScriptStatus.FAILED, "a file-filter hook needs a backup's file list: test it with a backup");
        }
        // Waited for like an optional hook: a test run reports the hook's own result, whatever its mode.
        PolicyDocument.Hook once = h.mode() == HookMode.ASYNC ? new PolicyDocument.Hook(h.index(), h.phase(),
                h.source(), HookMode.OPTIONAL, h.timeoutSeconds(), h.path(), h.command(), h.script(), h.sha256()) : h;
        List<String> sources = policy.backup() == null || policy.backup().sources() == null ? List.of()
                : policy.backup().sources();
        String source = sources.isEmpty() ? null : sources.get(0);
        List<List<String>> calls = once.source() == HookSource.USER_CALLBACK ? List.of(callback(policy, once.phase()))
                : List.of();
        boolean after = once.phase().afterEngine();
        HookRunner.Context ctx = new HookRunner.Context(id.toString(), 1, true, source, null,
                after ? ScriptStatus.SUCCEEDED.code() : null, after ? BackupStatus.SUCCEEDED.code() : null,
                settings.serverName(), policy.policyName(), settings.version(), id.toString(), sources, calls);
        HookRunner runner = new HookRunner(new ProcessGate(settings.permissions()), settings.scratch(), settings.os(),
                new HookRunner.AsyncHooks(), run -> {
                }, Map.of(TestRun.ENV, "1"));
        HookRunner.PhaseResult result = runner.run(List.of(once), once.phase(), ctx);
        if (result.runs().isEmpty()) {
            return notRun(ScriptStatus.FAILED, "the hook did not run");
        }
        HookRunner.Run r = result.runs().get(0);
        return AgentEvents.result(r.status(), r.outcome(), r.detail(), null);
    }

    /** Back In Time's arguments for a user-callback hook at its phase's moment. */
    private static List<String> callback(PolicyDocument policy, HookPhase phase) {
        int reason = switch (phase) {
            case AGENT_START -> UserCallback.APPLICATION_STARTED;
            case AGENT_STOP -> UserCallback.APPLICATION_CLOSED;
            case BEFORE_BACKUP -> UserCallback.BACKUP_STARTING;
            default -> UserCallback.BACKUP_ENDED;
        };
        return List.of(policy.policyId() == null ? "" : policy.policyId(),
                policy.policyName() == null ? "" : policy.policyName(), Integer.toString(reason));
    }

    private AttemptRunner attemptRunner(PolicyDocument policy) {
        PolicyDocument.Scripts scripts = policy.scripts() != null ? policy.scripts()
                : new PolicyDocument.Scripts(false, null, null, null, false, null);
        return new AttemptRunner(scripts, settings.os(), new ProcessGate(settings.permissions()));
    }

    /** A script without a timeout would hold the agent's job queue: a test of it ends after 10 minutes. */
    private static Instant deadline(PolicyDocument policy) {
        boolean noTimeout = policy.scripts() == null || policy.scripts().timeoutSeconds() == null;
        return noTimeout ? Instant.now().plus(Duration.ofSeconds(TestRun.MAX_SECONDS_WITHOUT_TIMEOUT)) : null;
    }

    /** The pre/post-scripts' environment in a job, with the test run as the job, plus FLEETHOOK_TEST=1. */
    private Map<String, String> env(PolicyDocument policy, UUID id) {
        Map<String, String> env = new HashMap<>();
        env.put("FLEETHOOK_JOB_ID", id.toString());
        env.put("FLEETHOOK_ATTEMPT", "1");
        env.put("FLEETHOOK_FINAL_ATTEMPT", "1");
        env.put("FLEETHOOK_SERVER", settings.serverName());
        env.put("FLEETHOOK_POLICY", policy.policyName() == null ? "" : policy.policyName());
        env.put("FLEETHOOK_VERSION", settings.version());
        env.put(TestRun.ENV, "1");
        return env;
    }

    private static int orDefault(Integer value, int fallback) {
        return value == null ? fallback : value;
    }

    /** A test that did not start a process, and why (a refusal's detail starts with {@link TestRun#REFUSED}). */
    static StepResult notRun(ScriptStatus status, String why) {
        return new StepResult(status.code(), null, 0, false, null, why, null);
    }
}
