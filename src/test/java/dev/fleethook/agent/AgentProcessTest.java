package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.fleethook.protocol.BackupEngine;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.EventType;
import dev.fleethook.protocol.HookMode;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.HookSource;
import dev.fleethook.protocol.JobEvent;
import dev.fleethook.protocol.JobStatus;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.PollResponse;
import dev.fleethook.protocol.ScheduleKind;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.TargetOs;

/**
 * The agent as its own JVM, the way an administrator runs it: {@code backup-now} as an unprivileged user
 * on a folder it cannot read, under an empty environment (no locale), interrupted with Ctrl-C (SIGINT to
 * its process group) or SIGTERM; {@code run} under an empty environment. The portal is unreachable
 * (port 1), so every event must end up in the spool, and the job id is printed.
 */
class AgentProcessTest {

    static final int NOBODY = 65534;
    static final Pattern STARTED = Pattern.compile("Job ([0-9a-f-]{36}) started; in the portal: http://127.0.0.1:1/jobs/\\1");

    /** The agent's classes and libraries, copied where any user can read them (~/.m2 is root's only). */
    static Path classpath;

    Path base;
    Path state;
    Path log;

    @BeforeAll
    static void copyClasspath() throws IOException {
        classpath = Files.createTempDirectory("fleethook-agent-cp-");
        Path classes = Path.of(AgentMain.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        for (String pkg : List.of("dev/fleethook/agent", "dev/fleethook/protocol")) {
            copyTree(classes.resolve(pkg), classpath.resolve("classes").resolve(pkg));
        }
        Files.createDirectories(classpath.resolve("lib"));
        Pattern wanted = Pattern.compile("(jackson-(core|databind|annotations|datatype-jsr310)|picocli|commons-compress"
                + "|commons-io|commons-lang3|cron-utils|slf4j-api)-[0-9].*\\.jar");
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path jar = Path.of(entry);
            if (wanted.matcher(jar.getFileName().toString()).matches()) {
                Files.copy(jar, classpath.resolve("lib").resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        run("chmod", "-R", "a+rX", classpath.toString());
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void run(String... command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).inheritIO().start();
            assertEquals(0, p.waitFor(), String.join(" ", command));
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    @BeforeEach
    void folders() throws IOException {
        base = Files.createTempDirectory("fleethook-agent-");
        run("chmod", "755", base.toString());
        state = base.resolve("state");
        log = base.resolve("logs/run.log");
        Files.createDirectories(log.getParent());
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (Stream<Path> files = Files.walk(base)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    Path script(Path folder, String name, String body) throws IOException {
        Files.createDirectories(folder);
        Path p = folder.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        run("chmod", "755", folder.toString(), p.toString());
        return p;
    }

    /** Enrolled state with this policy cached, hooks enabled under {@link #base}. */
    void enrolled(PolicyDocument policy) throws IOException {
        AgentState s = new AgentState(state);
        UUID server = UUID.randomUUID();
        s.save(new AgentState.Config("http://127.0.0.1:1", server.toString(), "fs-01", 30, true, false,
                List.of(base.toString())), "fha_test");
        s.savePolicy(new AgentState.CachedPolicy("\"e1\"", new PollResponse(server, 30, policy, List.of())));
    }

    PolicyDocument policy(Path scripts, List<String> sources, List<PolicyDocument.Hook> hooks) {
        return new PolicyDocument(UUID.randomUUID().toString(), "Nightly", 1, TargetOs.LINUX,
                new PolicyDocument.Schedule(ScheduleKind.MANUAL, null, "UTC", null), new PolicyDocument.Retry(0, 1),
                new PolicyDocument.Backup(BackupEngine.ARCHIVE, sources, List.of(),
                        new PolicyDocument.Archive(base.resolve("archives").toString(), 3), null, null),
                new PolicyDocument.Scripts(true, scripts.toString(), scripts.resolve("pre_script.sh").toString(),
                        scripts.resolve("post_script.sh").toString(), true, 60),
                hooks);
    }

    /** The agent JVM: {@code prefix} (setpriv, env -i, setsid) + java + the agent's main class + args. */
    Process agent(List<String> prefix, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-cp",
                classpath.resolve("classes") + File.pathSeparator + classpath.resolve("lib") + File.separator + "*",
                AgentMain.class.getName()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--state-dir", state.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(base.resolve("agent.out").toFile()).start();
    }

    String output() throws IOException {
        return Files.readString(base.resolve("agent.out"));
    }

    int exit(Process p) throws Exception {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the agent ended");
        return p.exitValue();
    }

    List<JobEvent> spooled() throws IOException {
        return new EventSpool(state.resolve("spool")).pending(1000).stream().map(EventSpool.Pending::event).toList();
    }

    static JobEvent the(List<JobEvent> events, EventType type) {
        return events.stream().filter(e -> e.type() == type).reduce((a, b) -> b).orElseThrow(
                () -> new AssertionError("no " + type + " in " + events));
    }

    List<String> logLines() throws IOException {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /** The job id backup-now printed, checked against the events (case 12 of issue 11). */
    UUID printedJobId(List<JobEvent> events) throws IOException {
        Matcher m = STARTED.matcher(output());
        assertTrue(m.find(), output());
        UUID id = UUID.fromString(m.group(1));
        assertEquals(id, the(events, EventType.JOB_STARTED).jobId());
        return id;
    }

    static void await(java.util.concurrent.Callable<Boolean> condition, Duration within) {
        org.awaitility.Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(50)).until(condition);
    }

    @Test
    void asAnUnprivilegedUserAnUnreadableFolderIsListedAndPostScriptAndAfterHooksStillRun() throws Exception {
        // Case 1 of issue 11: AccessDeniedException, exit 1, no post-script, nothing reported.
        Path data = Files.createDirectories(base.resolve("data"));
        Files.writeString(data.resolve("ok.txt"), "readable");
        Path secret = Files.createDirectories(data.resolve("private"));
        Files.writeString(secret.resolve("salaries.txt"), "root only");
        run("chmod", "-R", "a+rX", data.toString());
        run("chmod", "700", secret.toString());
        Path scripts = base.resolve("scripts");
        script(scripts, "pre_script.sh", "echo pre >> " + log);
        script(scripts, "post_script.sh", "echo \"post $2 $3\" >> " + log);
        Path after = script(base.resolve("hooks"), "after.sh", "echo \"after $FLEETHOOK_BACKUP_STATUS\" >> " + log);
        enrolled(policy(scripts, List.of(data.toString()), List.of(new PolicyDocument.Hook(0, HookPhase.AFTER_BACKUP,
                HookSource.COMMAND, HookMode.ESSENTIAL, 30, null, List.of(after.toString()), null, null))));
        run("chown", "-R", NOBODY + ":" + NOBODY, state.toString(), log.getParent().toString());
        Files.createDirectories(base.resolve("archives"));
        run("chown", NOBODY + ":" + NOBODY, base.resolve("archives").toString());

        Process agent = agent(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"),
                "backup-now");

        assertEquals(0, exit(agent), "a partial backup is a backup: " + output());
        assertEquals(List.of("pre", "after 5", "post 0 5"), logLines(), "after hooks and post-script ran");
        List<JobEvent> events = spooled();
        printedJobId(events);
        JobEvent backup = the(events, EventType.BACKUP_FINISHED);
        assertEquals(BackupStatus.PARTIAL.code(), backup.result().status());
        assertTrue(backup.result().outputTail().contains(secret + ": not backed up, permission denied"),
                backup.result().outputTail());
        assertEquals(1L, ((Number) backup.result().stats().get("files")).longValue(), "ok.txt was archived");
        assertEquals(JobStatus.PARTIAL, the(events, EventType.JOB_FINISHED).jobStatus());
        assertTrue(output().contains("events stay in the spool"), output());
    }

    @Test
    void underAnEmptyEnvironmentNonAsciiFoldersAndFileNamesWork() throws Exception {
        // Case 6 of issue 11: env -i gave "Malformed input or input contains unmappable characters", exit 1.
        Path data = Files.createDirectories(base.resolve("data"));
        Files.writeString(data.resolve("Überweisung März.txt"), "Betrag");
        Path scripts = base.resolve("Überprüfung");
        script(scripts, "pre_script.sh", "echo pre >> " + log);
        script(scripts, "post_script.sh", "echo \"post $2 $3\" >> " + log);
        enrolled(policy(scripts, List.of(data.toString()), List.of()));

        Process agent = agent(List.of("env", "-i", "PATH=/usr/bin:/bin"), "backup-now");

        assertEquals(0, exit(agent), output());
        assertEquals(List.of("pre", "post 0 0"), logLines());
        List<JobEvent> events = spooled();
        printedJobId(events);
        assertEquals(JobStatus.SUCCEEDED, the(events, EventType.JOB_FINISHED).jobStatus());
        Path archive;
        try (Stream<Path> files = Files.list(base.resolve("archives"))) {
            archive = files.filter(f -> f.toString().endsWith(".tar.gz")).findFirst().orElseThrow();
        }
        assertTrue(EnginesTest.entries(archive).contains("data/Überweisung März.txt=Betrag"),
                EnginesTest.entries(archive).toString());
    }

    @Test
    void runUnderAnEmptyEnvironmentStartsAndRunsItsAgentStartHookFromANonAsciiFolder() throws Exception {
        // The same for the service: run used to exit at start-up (a crash loop under the unit).
        Path data = Files.createDirectories(base.resolve("data"));
        Path scripts = base.resolve("Überprüfung");
        Path hook = script(scripts, "on-start.sh", "echo \"started $FLEETHOOK_ACTION\" >> " + log);
        enrolled(policy(scripts, List.of(data.toString()), List.of(new PolicyDocument.Hook(0, HookPhase.AGENT_START,
                HookSource.COMMAND, HookMode.ESSENTIAL, 30, null, List.of(hook.toString()), null, null))));

        Process agent = agent(List.of("env", "-i", "PATH=/usr/bin:/bin"), "run");
        try {
            await(() -> logLines().contains("started agent-start"), Duration.ofSeconds(30));
            assertTrue(agent.isAlive(), output());
        } finally {
            agent.destroy();
            agent.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSourceThatIsASymbolicLinkToAFolderIsBackedUpAndAFifoSourceIsNamedAsNotBackedUp() throws Exception {
        // /srv/share -> /mnt/disk1/share is how many servers name their shares: the archive used to hold nothing
        // from it and the backup was reported Successful. A source that is a FIFO was left out without a word.
        Path disk = Files.createDirectories(base.resolve("mnt/disk1/share"));
        Files.writeString(disk.resolve("invoice.txt"), "paid");
        Path share = Files.createSymbolicLink(base.resolve("share"), disk);
        Path fifo = base.resolve("queue");
        run("mkfifo", fifo.toString());
        Path scripts = base.resolve("scripts");
        script(scripts, "pre_script.sh", "echo pre >> " + log);
        script(scripts, "post_script.sh", "echo \"post $2 $3\" >> " + log);
        enrolled(policy(scripts, List.of(share.toString(), fifo.toString()), List.of()));

        Process agent = agent(List.of(), "backup-now");

        assertEquals(0, exit(agent), output());
        assertEquals(List.of("pre", "post 0 5"), logLines());
        List<JobEvent> events = spooled();
        JobEvent backup = the(events, EventType.BACKUP_FINISHED);
        assertEquals(BackupStatus.PARTIAL.code(), backup.result().status(), backup.result().outputTail());
        assertTrue(backup.result().outputTail().contains(fifo + ": not backed up, it is not a regular file or a folder"),
                backup.result().outputTail());
        Path archive;
        try (Stream<Path> files = Files.list(base.resolve("archives"))) {
            archive = files.filter(f -> f.toString().endsWith(".tar.gz")).findFirst().orElseThrow();
        }
        assertEquals(List.of("share/invoice.txt=paid"), EnginesTest.entries(archive), "archived under the source's name");
        assertEquals(JobStatus.PARTIAL, the(events, EventType.JOB_FINISHED).jobStatus());
    }

    @Test
    void backupNowWaitsForAnAsyncHookWhoseTimeoutKillsItAndReportsItTimedOut() throws Exception {
        // The reviewer's case: an async after-backup hook running sleep 47 with timeoutSeconds 2 was still alive
        // after backup-now exited (its timeout lived on a thread that died with the JVM), its status lost.
        Path data = Files.createDirectories(base.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        Path scripts = base.resolve("scripts");
        script(scripts, "pre_script.sh", "exit 0");
        script(scripts, "post_script.sh", "exit 0");
        Path pids = base.resolve("pids");
        Path hook = script(base.resolve("hooks"), "notify.sh",
                "sleep 47 & echo $! >> " + pids + "; echo $$ >> " + pids + "; wait");
        enrolled(policy(scripts, List.of(data.toString()), List.of(new PolicyDocument.Hook(0, HookPhase.AFTER_BACKUP,
                HookSource.COMMAND, HookMode.ASYNC, 2, null, List.of(hook.toString()), null, null))));

        Process agent = agent(List.of(), "backup-now");

        assertEquals(0, exit(agent), output());
        List<Long> processes = Files.readAllLines(pids).stream().map(String::trim).map(Long::parseLong).toList();
        assertEquals(2, processes.size());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> assertEquals(List.of(),
                HookRunnerTest.alive(processes), "no process of the hook outlives backup-now"));
        List<JobEvent> events = spooled();
        JobEvent hookRun = the(events, EventType.HOOK_FINISHED);
        assertEquals(ScriptStatus.TIMED_OUT.code(), hookRun.result().status(), hookRun.result().detail());
        assertTrue(hookRun.result().detail().contains("timed out after 2 s"), hookRun.result().detail());
        assertEquals(JobStatus.SUCCEEDED, the(events, EventType.JOB_FINISHED).jobStatus());
    }

    @Test
    void eventsTheSpoolCannotTakeAreNotDroppedInSilence() throws Exception {
        // A full (here: unwritable) spool dropped every event with a log line each, then printed "Reported to
        // the portal (0 events sent)": the job was never reported and the operator was told it was.
        Path data = Files.createDirectories(base.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        Path scripts = base.resolve("scripts");
        script(scripts, "pre_script.sh", "echo pre >> " + log);
        script(scripts, "post_script.sh", "echo \"post $2 $3\" >> " + log);
        enrolled(policy(scripts, List.of(data.toString()), List.of()));
        run("chown", "-R", NOBODY + ":" + NOBODY, state.toString(), log.getParent().toString());
        Files.createDirectories(state.resolve("spool"));
        run("chown", "root:root", state.resolve("spool").toString());
        run("chmod", "755", state.resolve("spool").toString());
        Files.createDirectories(base.resolve("archives"));
        run("chown", NOBODY + ":" + NOBODY, base.resolve("archives").toString());

        Process agent = agent(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"),
                "backup-now");

        assertEquals(0, exit(agent), output());
        assertEquals(List.of("pre", "post 0 0"), logLines(), "the job itself ran");
        assertTrue(output().contains("Cannot write to the spool (permission denied"), output());
        assertTrue(output().contains("10 events of job "), output()); // 7 steps and 3 step starts
        assertTrue(output().contains("could be neither written to the spool nor sent"), output());
        assertTrue(!output().contains("Reported to the portal"), output());
    }

    /** A pre-script that takes 3 s, the backup, the post-script with its arguments. */
    void slowPreScript() throws IOException {
        Path data = Files.createDirectories(base.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        Path scripts = base.resolve("scripts");
        script(scripts, "pre_script.sh", "echo pre-start >> " + log + "; sleep 3; echo pre-end >> " + log);
        script(scripts, "post_script.sh", "echo \"post $2 $3\" >> " + log);
        enrolled(policy(scripts, List.of(data.toString()), List.of()));
    }

    void assertCanceledAfterThePreScriptFinished() throws IOException {
        assertEquals(List.of("pre-start", "pre-end", "post 0 2"), logLines(),
                "the pre-script ran to its end, the backup was canceled (2), the post-script ran");
        List<JobEvent> events = spooled();
        printedJobId(events);
        assertEquals(ScriptStatus.SUCCEEDED.code(), events.stream().filter(e -> e.type() == EventType.SCRIPT_FINISHED)
                .findFirst().orElseThrow().result().status());
        assertEquals(BackupStatus.CANCELED.code(), the(events, EventType.BACKUP_FINISHED).result().status());
        assertEquals(JobStatus.CANCELED, the(events, EventType.JOB_FINISHED).jobStatus());
        assertTrue(output().contains("events stay in the spool"), output());
    }

    @Test
    void ctrlCOnBackupNowMeansCancelAndTheJobIsReported() throws Exception {
        // Case 8 of issue 11: SIGINT to the process group 1 s into the pre-script.
        slowPreScript();
        Process agent = agent(List.of("setsid"), "backup-now");
        await(() -> logLines().contains("pre-start"), Duration.ofSeconds(30));
        run("kill", "-s", "INT", "--", "-" + agent.pid());

        assertEquals(130, exit(agent), output());
        assertCanceledAfterThePreScriptFinished();
    }

    @Test
    void sigtermOnBackupNowMeansCancelAlsoWhenTheAgentRelaunchedItselfForItsLocale() throws Exception {
        slowPreScript();
        Process agent = agent(List.of("env", "-i", "PATH=/usr/bin:/bin"), "backup-now");
        await(() -> logLines().contains("pre-start"), Duration.ofSeconds(30));
        run("kill", "-s", "TERM", Long.toString(agent.pid()));

        assertEquals(143, exit(agent), output());
        assertCanceledAfterThePreScriptFinished();
    }

    @Test
    void afterKill9MidBackupTheEnginesProcessesAreGoneBeforeRecoveryRunsThePostScript() throws Exception {
        // Issue 13: the engine kept running 55 s while the restarted agent ran the post-script.
        long marker = 7_000_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000_000);
        Path data = Files.createDirectories(base.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        Path scripts = base.resolve("scripts");
        script(scripts, "pre_script.sh", "echo pre >> " + log);
        // The post-script writes down whether any of the engine's processes is still alive when it starts.
        script(scripts, "post_script.sh", "n=$(ps -eo args | grep -c '^sleep " + marker + "')\n"
                + "echo \"post $3 engine-processes=$n\" >> " + log);
        // A long engine with a background child in its session, like restic and the ssh it starts.
        Path engine = script(base.resolve("engines"), "backup.sh", "sleep " + marker + " &\necho engine >> " + log
                + "\nsleep " + marker + "\n");
        PolicyDocument p = policy(scripts, List.of(data.toString()), List.of());
        enrolled(new PolicyDocument(p.policyId(), p.policyName(), p.revision(), p.os(), p.schedule(), p.retry(),
                new PolicyDocument.Backup(BackupEngine.COMMAND, List.of(data.toString()), List.of(), null, null,
                        List.of(engine.toString())), p.scripts(), p.hooks()));
        java.util.function.Supplier<List<ProcessHandle>> engineProcesses = () -> ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").endsWith("sleep " + marker)).toList();

        Process agent = agent(List.of("env", "LC_ALL=C.UTF-8"), "backup-now");
        try {
            await(() -> logLines().contains("engine") && engineProcesses.get().size() == 2, Duration.ofSeconds(30));
            run("kill", "-s", "KILL", Long.toString(agent.pid()));
            assertTrue(agent.waitFor(10, TimeUnit.SECONDS));
            assertEquals(2, engineProcesses.get().size(), "kill -9 of the agent leaves the engine's session running");

            Process restarted = agent(List.of("env", "LC_ALL=C.UTF-8"), "run");
            try {
                await(() -> logLines().stream().anyMatch(l -> l.startsWith("post ")), Duration.ofSeconds(30));
                assertEquals(List.of("pre", "engine", "post " + BackupStatus.FAILED.code() + " engine-processes=0"),
                        logLines(), "the engine and its child were gone before the post-script ran");
                assertEquals(List.of(), engineProcesses.get());
                await(() -> spooled().stream().anyMatch(e -> e.type() == EventType.JOB_FINISHED), Duration.ofSeconds(30));
                JobEvent backup = the(spooled(), EventType.BACKUP_FINISHED);
                assertEquals(BackupStatus.FAILED.code(), backup.result().status());
                assertTrue(String.valueOf(backup.result().detail()).contains("interrupted"), backup.toString());
                assertEquals(JobStatus.FAILED, the(spooled(), EventType.JOB_FINISHED).jobStatus());
            } finally {
                restarted.destroy();
                restarted.waitFor(30, TimeUnit.SECONDS);
            }
        } finally {
            agent.destroyForcibly();
            engineProcesses.get().forEach(ProcessHandle::destroyForcibly);
        }
    }
}
