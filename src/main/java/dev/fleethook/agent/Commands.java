package dev.fleethook.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import dev.fleethook.protocol.AgentCommand;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.StepResult;
import dev.fleethook.protocol.TestRun;

/**
 * Obeys the portal's commands (Backup Now, Cancel, a test run) that come with a poll answer. The portal repeats a command
 * until it is acknowledged, so each id is remembered on disk ({@code commands.json}) before it is obeyed, and
 * acknowledged after: a command is obeyed once even across a crash.
 */
final class Commands {

    private static final System.Logger LOG = System.getLogger("fleethook.agent");

    /** The portal repeats a command until it is acknowledged; the last 500 ids are plenty to recognize it. */
    static final int REMEMBERED = 500;

    private final AgentState state;
    private final ActivePolicy policy;
    private final JobQueue jobs;
    private final TestRuns testRuns;
    private final Consumer<JobEvent> emit;

    Commands(AgentState state, ActivePolicy policy, JobQueue jobs, TestRuns testRuns, Consumer<JobEvent> emit) {
        this.state = state;
        this.policy = policy;
        this.jobs = jobs;
        this.testRuns = testRuns;
        this.emit = emit;
    }

    /** Obeys each command not obeyed before, in the portal's order, and acknowledges it. */
    void obey(List<AgentCommand> commands) throws IOException {
        Set<String> handled = handled();
        for (AgentCommand c : commands) {
            if (!handled.add(c.id().toString())) {
                continue;
            }
            save(handled);
            if (c.kind() == AgentCommand.Kind.BACKUP_NOW) {
                PolicyDocument p = policy.get();
                if (p == null) {
                    LOG.log(System.Logger.Level.WARNING, "Backup Now ignored: no policy is assigned");
                } else {
                    jobs.submit(new JobRunner.Request(UUID.randomUUID(), "manual", c.id(), Instant.now(), p));
                }
            } else if (c.kind() == AgentCommand.Kind.TEST_RUN) {
                testRun(c);
            } else if (c.kind() == AgentCommand.Kind.CANCEL) {
                if (jobs.cancel(c.jobId())) {
                    LOG.log(System.Logger.Level.INFO, "Cancel for job {0}", c.jobId());
                }
            }
            emit.accept(AgentEvents.commandAcknowledged(c.id()));
        }
    }

    /**
     * "Test this hook now": runs on the job queue, so no job starts while it runs; refused while a job runs (a
     * test must not run a pre-script in the middle of a backup). Reported by one test-run-finished event.
     */
    private void testRun(AgentCommand c) {
        PolicyDocument p = policy.get();
        UUID busy = jobs.runningJob();
        if (busy != null) {
            emit.accept(AgentEvents.testRunFinished(c.id(), TestRuns.notRun(ScriptStatus.FAILED,
                    TestRun.REFUSED + "job " + busy + " is running on this server; test again when it has ended")));
            return;
        }
        jobs.submit(() -> {
            LOG.log(System.Logger.Level.INFO, "Test run {0} starting", c.id());
            StepResult result = testRuns.run(c.id(), c.test(), p);
            LOG.log(System.Logger.Level.INFO, "Test run {0} finished: status {1}", c.id(), result.status());
            emit.accept(AgentEvents.testRunFinished(c.id(), result));
            return null;
        });
    }

    private Set<String> handled() throws IOException {
        Path f = state.dir().resolve("commands.json");
        if (!Files.exists(f)) {
            return new LinkedHashSet<>();
        }
        return new LinkedHashSet<>(List.of(AgentState.JSON.readValue(f.toFile(), String[].class)));
    }

    private void save(Set<String> handled) throws IOException {
        List<String> ids = new ArrayList<>(handled);
        List<String> keep = ids.subList(Math.max(0, ids.size() - REMEMBERED), ids.size());
        state.writeDurably("commands.json", AgentState.JSON.writeValueAsString(keep));
    }
}
