package dev.fleethook.fleet.service;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.fleethook.audit.AuditService;
import dev.fleethook.fleet.AgentCommandEntity;
import dev.fleethook.fleet.Server;
import dev.fleethook.fleet.TestRun;
import dev.fleethook.identity.security.CurrentAccount;
import dev.fleethook.policy.service.PolicyService;
import dev.fleethook.protocol.AgentCommand;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.TargetOs;
import dev.fleethook.protocol.WireEnum;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.ConflictException;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * "Test this hook now" ({@link dev.fleethook.protocol.TestRun}): creates a test run of one script or hook of a
 * server's current policy and the {@code TEST_RUN} command that carries it through the held poll (the command
 * channel), audited; lists a server's test runs. The agent's result arrives as a {@code test-run-finished}
 * event ({@code job.service.EventIngestion} writes it). A test run is never a job and never raises an alert.
 */
@ApplicationScoped
public class TestRunService {

    /** How many test runs of a server the page and the API list (newest first). */
    public static final int LIST_LIMIT = 20;

    /** What to test: {@code target} pre-script / post-script / hook; post-script's two status codes; hook's index. */
    public record Request(String target, Integer hookIndex, Integer preStatus, Integer backupStatus) {
    }

    @Inject
    ServerService servers;

    @Inject
    PolicyService policies;

    @Inject
    ChangeNotifier changes;

    @Inject
    AuditService audit;

    @Inject
    CurrentAccount currentAccount;

    /**
     * Creates a test run on {@code serverId} (404 for another tenant's or an unknown server). 400 naming the
     * field: {@code target} not one of pre-script/post-script/hook; {@code hookIndex} missing or not a hook
     * of the current policy (or a file-filter hook, which needs a backup's file list); {@code preStatus} not
     * a script status (0-4) or {@code backupStatus} not a backup status (0-5). 409 when the server takes no
     * commands (disabled, revoked), has no policy, or its agent has not said it runs test runs (an older agent
     * could not read the command: {@code AgentHeaders.FEATURES}).
     */
    @Transactional
    public TestRunView create(UUID serverId, Request request) {
        Server server = servers.require(serverId);
        if (request == null || request.target() == null || request.target().isBlank()) {
            throw new BadInputException("target", "is required: " + WireEnum.allowed(dev.fleethook.protocol.TestRun.Target.values()));
        }
        dev.fleethook.protocol.TestRun.Target target;
        try {
            target = dev.fleethook.protocol.TestRun.Target.fromWire(request.target().trim());
        } catch (IllegalArgumentException e) {
            throw new BadInputException("target", e.getMessage());
        }
        if (server.status != Server.Status.ENABLED) {
            throw new ConflictException("The server is " + server.status.name().toLowerCase() + ": it takes no commands.");
        }
        if (server.policyId == null) {
            throw new ConflictException("No policy is assigned to the server: there is nothing to test.");
        }
        if (!server.acceptsTestRuns) {
            throw new ConflictException("The agent on " + server.hostname + " has not said that it runs tests: it is "
                    + "older than this portal or has not polled yet. Upgrade the agent, or try again after its next poll.");
        }
        PolicyDocument document = policies.document(server.policyId, TargetOs.fromWire(server.os)).document();
        TestRun run = new TestRun();
        run.id = UUID.randomUUID();
        run.serverId = server.id;
        run.policyId = server.policyId;
        run.policyRevision = document.revision();
        run.target = target.wire();
        switch (target) {
            case HOOK -> {
                if (request.hookIndex() == null) {
                    throw new BadInputException("hookIndex", "is required to test a hook");
                }
                PolicyDocument.Hook hook = (document.hooks() == null ? List.<PolicyDocument.Hook> of() : document.hooks())
                        .stream().filter(h -> h.index() == request.hookIndex()).findFirst()
                        .orElseThrow(() -> new BadInputException("hookIndex", "revision " + document.revision()
                                + " of the server's policy has no hook " + request.hookIndex()));
                if (hook.phase() == HookPhase.FILE_FILTER) {
                    throw new BadInputException("hookIndex", "a file-filter hook needs a backup's file list: test it with Backup Now");
                }
                run.hookIndex = hook.index();
                run.hookPhase = hook.phase().wire();
            }
            case POST_SCRIPT -> {
                run.preStatus = request.preStatus() == null ? ScriptStatus.SUCCEEDED.code() : request.preStatus();
                run.backupStatus = request.backupStatus() == null ? BackupStatus.SUCCEEDED.code() : request.backupStatus();
                if (java.util.Arrays.stream(ScriptStatus.values()).noneMatch(s -> s.code() == run.preStatus)) {
                    throw new BadInputException("preStatus", "must be a script status code (0 to 4)");
                }
                if (java.util.Arrays.stream(BackupStatus.values()).noneMatch(s -> s.code() == run.backupStatus)) {
                    throw new BadInputException("backupStatus", "must be a backup status code (0 to 5)");
                }
            }
            case PRE_SCRIPT -> {
            }
        }
        run.requestedBy = currentAccount.email();
        run.requestedAt = Instant.now();
        run.status = TestRun.Status.PENDING;
        run.persist();

        AgentCommandEntity command = new AgentCommandEntity();
        command.id = run.id;
        command.serverId = server.id;
        command.kind = AgentCommand.Kind.TEST_RUN.name();
        command.createdBy = run.requestedBy;
        command.createdAt = run.requestedAt;
        command.persist();
        changes.answer(server.id);
        audit.record("server.test-run", "server", server.id, "Test run of the " + run.what() + " on " + server.hostname,
                null, Map.of("testRunId", run.id.toString(), "target", run.target, "policyRevision", run.policyRevision));
        return TestRunView.of(run);
    }

    /** The server's latest test runs, newest first (404 for another tenant's server). */
    public List<TestRunView> list(UUID serverId) {
        servers.require(serverId);
        return TestRun.<TestRun> find("serverId", Sort.descending("requestedAt"), serverId).page(0, LIST_LIMIT).list()
                .stream().map(TestRunView::of).toList();
    }

    /** One test run of the server; 404 when it is not one of that server's. */
    public TestRunView require(UUID serverId, UUID id) {
        servers.require(serverId);
        return TestRun.<TestRun> find("id = ?1 and serverId = ?2", id, serverId).firstResultOptional()
                .map(TestRunView::of).orElseThrow(dev.fleethook.kernel.ObjectNotFoundException::new);
    }

    /** The {@code TestRun} of a {@code test-run} command, for the poll answer (null when gone). */
    public static dev.fleethook.protocol.TestRun wire(TestRun run) {
        if (run == null) {
            return null;
        }
        return new dev.fleethook.protocol.TestRun(dev.fleethook.protocol.TestRun.Target.fromWire(run.target),
                run.hookIndex, run.preStatus, run.backupStatus);
    }
}
