package dev.fleethook.devdata;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.fleethook.agent.AgentDaemon;
import dev.fleethook.agent.AgentMain;
import dev.fleethook.agent.AgentState;
import dev.fleethook.agent.PortalClient;
import dev.fleethook.fleet.service.EnrollmentTokenService;
import dev.fleethook.fleet.service.ServerService;
import dev.fleethook.policy.PolicySpec;
import dev.fleethook.policy.service.PolicyService;
import dev.fleethook.protocol.EnrollRequest;
import dev.fleethook.protocol.EnrollResponse;
import dev.fleethook.protocol.TargetOs;
import dev.fleethook.kernel.CurrentTenant;
import dev.fleethook.tenant.TenantService;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import io.quarkus.arc.profile.IfBuildProfile;
import jakarta.inject.Inject;

/**
 * Dev build only ({@code @IfBuildProfile("dev")}; in dev, {@code fleethook.dev-data.demo-agents}, default
 * true, {@code FLEETHOOK_DEMO_AGENTS=false} goes without them): four real agents run inside the dev portal's
 * JVM, each with its own state directory and sample scripts under {@code .fleethook-dev/demo-agents}:
 * a healthy one, one whose pre-script fails (a failed job: retries and the failure email show), one
 * whose pre-script times out and one whose post-script exits 3 after a successful archive (both warning
 * jobs with their email). The tenant's alert recipients default to its admin, so the emails land in the
 * dev mailbox (the outbox page). They enroll through the real protocol on the dev port, and each start presses
 * Backup Now for them, so jobs flow within a minute; afterwards they back up every five minutes.
 * The healthy one shows one hook of each kind, each a seed's own interface (README "Bring your hooks"):
 * a Kiwi agent-start hook and a Kiwi on_file file filter, a Rekkord pre/post directory, a Kopia
 * before-folder action stored in the policy (the demo agents allow stored scripts), a Druva-style convention hook, a Back In Time user-callback at every moment and
 * an agent-stop hook; the failing one an after-failed-attempt hook.
 */
@IfBuildProfile("dev")
@ApplicationScoped
public class DemoAgents {

    private static final Logger LOG = Logger.getLogger(DemoAgents.class);

    /** One demo server: its scripts and how its policy treats them. */
    record Demo(String hostname, String policyName, String pre, String post, Integer timeoutSeconds, int retries,
            boolean skipBackupIfPreFails) {
    }

    static final List<Demo> DEMOS = List.of(
            new Demo("demo-fs-healthy", "Demo: healthy",
                    "echo \"pre: flushing the demo database for job $1\"\nsleep 1",
                    "echo \"post: pre-script status $2, backup status $3\"", 60, 1, true),
            new Demo("demo-fs-failing-pre", "Demo: failing pre-script",
                    "echo \"pre: cannot lock the demo database\" >&2\nexit 3",
                    "echo \"post: pre-script status $2, backup status $3 (unlocking anyway)\"", 60, 2, true),
            new Demo("demo-fs-slow", "Demo: slow pre-script",
                    "echo \"pre: waiting for a snapshot that never comes...\"\nsleep 120",
                    "echo \"post: pre-script status $2 (3 = TimedOut), backup status $3\"", 5, 0, false),
            new Demo("demo-fs-post-warning", "Demo: failing post-script",
                    "echo \"pre: snapshot taken for job $1\"",
                    "echo \"post: backup status $3, but the snapshot cannot be released\" >&2\nexit 3", 60, 0, true));

    @ConfigProperty(name = "fleethook.dev-data.demo-agents", defaultValue = "false")
    boolean enabled;

    @ConfigProperty(name = "quarkus.http.port", defaultValue = "8080")
    int port;

    @ConfigProperty(name = "fleethook.dev-data.demo-dir", defaultValue = ".fleethook-dev/demo-agents")
    Path baseDir;

    @Inject
    TenantService tenants;

    @Inject
    CurrentTenant currentTenant;

    @Inject
    PolicyService policies;

    @Inject
    EnrollmentTokenService tokens;

    @Inject
    ServerService servers;

    @Inject
    ObjectMapper json;

    private final List<AgentDaemon> daemons = new CopyOnWriteArrayList<>();

    void onStart(@Observes @Priority(jakarta.interceptor.Interceptor.Priority.APPLICATION + 700) StartupEvent event) {
        if (!enabled) {
            return;
        }
        Thread t = new Thread(this::startAll, "demo-agents");
        t.setDaemon(true);
        t.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        daemons.forEach(AgentDaemon::close);
        daemons.clear();
    }

    private void startAll() {
        String portal = "http://localhost:" + port;
        try {
            awaitPortal(portal);
            String tenantId = tenants.list().stream().filter(t -> "acme".equals(t.slug())).findFirst()
                    .map(t -> t.id()).orElseThrow(() -> new IllegalStateException("the Acme dev tenant is missing"));
            for (Demo demo : DEMOS) {
                start(demo, portal, tenantId, baseDir.toAbsolutePath().resolve(demo.hostname()));
            }
            LOG.infof("Demo agents running: %s (scripts and state in %s)",
                    DEMOS.stream().map(Demo::hostname).toList(), baseDir.toAbsolutePath());
        } catch (Exception e) {
            LOG.warnf("Demo agents not started: %s", e.toString());
        }
    }

    private void start(Demo demo, String portal, String tenantId, Path dir) throws Exception {
        Path scripts = Files.createDirectories(dir.resolve("scripts"));
        script(scripts.resolve("pre_script.sh"), demo.pre());
        script(scripts.resolve("post_script.sh"), demo.post());
        seedHookFiles(demo, dir);
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("customers.csv"), "id,name\n1,Ada\n2,Grace\n");
        Files.writeString(data.resolve("session.lock"), "left out by the Kiwi file filter\n");
        Files.writeString(data.resolve("orders.csv"), "id,customer,total\n1,1,42.00\n");

        AgentState state = new AgentState(dir.resolve("state"));
        if (state.enrolled() && !known(tenantId, UUID.fromString(state.config().serverId()))) {
            // The dev database was reset: this agent's identity is gone with it.
            deleteTree(state.dir());
        }
        UUID policyId = currentTenant.inTransaction(tenantId, () -> policy(demo, dir));
        if (!state.enrolled()) {
            String token = currentTenant.inTransaction(tenantId, () -> tokens.create(new EnrollmentTokenService.NewToken(
                    "demo agent " + demo.hostname(), 10, 1, policyId, null)).secret());
            EnrollResponse r = new PortalClient(portal).enroll(new EnrollRequest(token, demo.hostname(), TargetOs.LINUX,
                    AgentMain.VERSION));
            state.save(new AgentState.Config(portal, r.serverId().toString(), demo.hostname(), r.pollIntervalSeconds(),
                    true, true, List.of(dir.toString())), r.agentSecret());
        }
        UUID serverId = UUID.fromString(state.config().serverId());
        currentTenant.inTransaction(tenantId, () -> servers.backupNow(serverId));
        AgentDaemon daemon = AgentDaemon.open(state, Duration.ofMinutes(1));
        daemon.start();
        daemons.add(daemon);
    }

    private boolean known(String tenantId, UUID serverId) {
        return currentTenant.inTransaction(tenantId, () -> {
            try {
                servers.require(serverId);
                return true;
            } catch (RuntimeException notFound) {
                return false;
            }
        });
    }

    /** The demo's policy, created on first start: every 5 minutes, archive engine, the demo's scripts. */
    private UUID policy(Demo demo, Path dir) {
        for (var p : policies.list()) {
            if (p.name().equals(demo.policyName())) {
                return p.id();
            }
        }
        PolicySpec policySpec = json.convertValue(spec(demo, dir), PolicySpec.class);
        return policies.create(new PolicyService.SavePolicy(null, "dev demo", policySpec)).id();
    }

    /** The demo's policy spec as an administrator would send it to the API. */
    static Map<String, Object> spec(Demo demo, Path dir) {
        return Map.of(
                "name", demo.policyName(),
                "description", "Dev demo agent " + demo.hostname() + " (runs inside the dev portal)",
                "schedule", Map.of("kind", "cron", "cron", "*/5 * * * *"),
                "windowMinutes", 60,
                "retry", Map.of("count", demo.retries(), "intervalMinutes", 1),
                "backup", Map.of("engine", "archive", "sources", List.of(dir.resolve("data").toString()),
                        "excludes", List.of("*.tmp"),
                        "archive", Map.of("destination", dir.resolve("archives").toString(), "retention", 5)),
                "scripts", Map.of("linux", Map.of("enabled", true, "folder", dir.resolve("scripts").toString()),
                        "windows", Map.of("enabled", false),
                        "skipBackupIfPreScriptFails", demo.skipBackupIfPreFails(),
                        "timeoutSeconds", demo.timeoutSeconds()),
                "hooks", seedHooks(demo, dir));
    }

    private static boolean showsEveryHook(Demo demo) {
        return demo.hostname().equals("demo-fs-healthy");
    }

    /** The scripts of the demo's hooks, written as each seed's documentation describes them. */
    private static void seedHookFiles(Demo demo, Path dir) throws IOException {
        Path hooks = Files.createDirectories(dir.resolve("hooks"));
        if (!showsEveryHook(demo)) {
            script(hooks.resolve("notify-failed-attempt.sh"),
                    "echo \"attempt $FLEETHOOK_ATTEMPT of job $FLEETHOOK_JOB_ID failed (backup status $FLEETHOOK_BACKUP_STATUS)\"");
            return;
        }
        script(hooks.resolve("kiwi-on-server-start.sh"), "echo \"Kiwi on_server_start: agent $FLEETHOOK_SERVER is up\"");
        Files.writeString(hooks.resolve("kiwi-on-file"), """
                #!/bin/bash
                # Kiwi on_file as a file filter: paths in, kept paths out, NUL-separated; an empty path ends a batch.
                while IFS= read -r -d '' path; do
                  if [ -z "$path" ]; then printf '\\0'; continue; fi
                  case "$path" in *.lock) ;; *) printf '%s\\0' "$path" ;; esac
                done
                """);
        Files.setPosixFilePermissions(hooks.resolve("kiwi-on-file"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path presave = Files.createDirectories(hooks.resolve("rekkord/presave"));
        script(presave.resolve("10-dump"), "echo \"Rekkord pre-save: dumping the demo database\"");
        script(presave.resolve("20-check"), "echo \"Rekkord pre-save: disk space is fine\"");
        Path postsave = Files.createDirectories(hooks.resolve("rekkord/postsave"));
        script(postsave.resolve("10-report"), "echo \"Rekkord post-save: SUCCESS=$SUCCESS\"");
        script(dir.resolve("scripts/before_backup.sh"), "echo \"Druva-style convention hook: before_backup.sh\"");
        // Back In Time's logging example, writing next to the demo instead of /tmp.
        Files.writeString(hooks.resolve("backintime-user-callback"), """
                #!/bin/bash
                LOG_FILE='%s'
                current_time=$(date +"%%Y-%%m-%%d %%H:%%M:%%S")
                touch $LOG_FILE
                echo -n "{$current_time}: " >> "$LOG_FILE"
                for arg in "$@"
                do
                    echo -n "$arg," >> "$LOG_FILE"
                done
                echo >> "$LOG_FILE"
                echo "Back In Time user-callback: $*"
                """.formatted(dir.resolve("backintime_callback.log")));
        Files.setPosixFilePermissions(hooks.resolve("backintime-user-callback"),
                PosixFilePermissions.fromString("rwxr-xr-x"));
        script(hooks.resolve("agent-stop.sh"), "echo \"agent $FLEETHOOK_SERVER stopping\"");
    }

    /** One hook of each kind for the healthy demo; an after-failed-attempt hook for the others. */
    private static List<Object> seedHooks(Demo demo, Path dir) {
        Path hooks = dir.resolve("hooks");
        List<Object> list = new ArrayList<>();
        if (!showsEveryHook(demo)) {
            list.add(Map.of("phase", "after-failed-attempt", "source", "command", "mode", "optional",
                    "command", List.of(hooks.resolve("notify-failed-attempt.sh").toString())));
            return list;
        }
        list.add(Map.of("phase", "agent-start", "source", "command", "mode", "optional",
                "command", List.of(hooks.resolve("kiwi-on-server-start.sh").toString())));
        list.add(Map.of("phase", "file-filter", "source", "command", "mode", "optional", "timeoutSeconds", 30,
                "command", List.of(hooks.resolve("kiwi-on-file").toString())));
        list.add(Map.of("phase", "before-backup", "source", "directory", "path",
                hooks.resolve("rekkord/presave").toString()));
        list.add(Map.of("phase", "after-backup", "source", "directory", "mode", "optional",
                "path", hooks.resolve("rekkord/postsave").toString()));
        // Kopia's --persist-action-script: the body kept in the policy (the demo agents allow stored scripts).
        list.add(Map.of("phase", "before-folder", "source", "stored", "mode", "optional",
                "script", "#!/bin/sh\necho \"Kopia $KOPIA_ACTION of $KOPIA_SOURCE_PATH (snapshot $KOPIA_SNAPSHOT_ID)\"\n"));
        list.add(Map.of("phase", "before-backup", "source", "convention", "mode", "optional"));
        list.add(Map.of("source", "user-callback", "mode", "optional",
                "path", hooks.resolve("backintime-user-callback").toString()));
        list.add(Map.of("phase", "agent-stop", "source", "command", "mode", "optional",
                "command", List.of(hooks.resolve("agent-stop.sh").toString())));
        return list;
    }

    private static void awaitPortal(String portal) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(portal + "/api/agent/v1/ping")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 204) {
                    return;
                }
            } catch (IOException notYet) {
                // the HTTP server is still starting
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the dev portal did not answer on " + portal);
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
