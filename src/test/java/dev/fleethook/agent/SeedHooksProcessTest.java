package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.fleethook.policy.PolicySpec;
import dev.fleethook.policy.service.PolicyDocuments;
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
 * Each seed's own hook scripts, run by the agent as its own JVM ({@code backup-now} and the {@code run}
 * daemon stopped with SIGTERM), from a policy rendered by the portal's {@link PolicyDocuments}: Back In
 * Time's logging user-callback copied from its documentation, a Rekkord hook directory, Kopia's example
 * actions.
 */
class SeedHooksProcessTest {

    /** Where Back In Time's example writes, unchanged (seeds/backintime-user-callback.txt). */
    static final Path BIT_LOG = Path.of("/tmp/backintime_callback.log");
    static final Pattern BIT_LINE = Pattern.compile("\\{\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\}: (.*)");

    static Path classpath;

    Path base;
    Path state;
    Path log;

    @BeforeAll
    static void copyClasspath() throws IOException {
        AgentProcessTest.copyClasspath();
        classpath = AgentProcessTest.classpath;
    }

    @BeforeEach
    void folders() throws IOException {
        base = Files.createTempDirectory("fleethook-seeds-");
        state = base.resolve("state");
        log = base.resolve("run.log");
        Files.deleteIfExists(BIT_LOG);
    }

    @AfterEach
    void cleanUp() throws IOException {
        try (Stream<Path> files = Files.walk(base)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.deleteIfExists(BIT_LOG);
    }

    Path script(Path folder, String name, String body) throws IOException {
        Files.createDirectories(folder);
        Path p = folder.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        AgentProcessTest.run("chmod", "755", p.toString());
        return p;
    }

    /** The seed's own file from the test resources, made executable as an administrator would. */
    Path seedFile(String resource, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            Files.copy(in, to);
        }
        AgentProcessTest.run("chmod", "755", to.toString());
        return to;
    }

    Path data() throws IOException {
        Path data = Files.createDirectories(base.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        return data;
    }

    /** A manual archive policy over {@code data}, Druva scripts off, rendered by the portal for Linux. */
    PolicyDocument policy(String archives, List<PolicySpec.Hook> hooks) throws IOException {
        PolicySpec spec = new PolicySpec("Nightly", "", new PolicySpec.Schedule(ScheduleKind.MANUAL, null, null, null),
                null, new PolicySpec.Retry(0, 1),
                new PolicySpec.Backup(BackupEngine.ARCHIVE, List.of(data().toString()), List.of(),
                        new PolicySpec.Archive(archives, 3), null, null),
                new PolicySpec.Scripts(new PolicySpec.OsScripts(false, null), new PolicySpec.OsScripts(false, null),
                        false, null),
                hooks);
        return PolicyDocuments.render(UUID.randomUUID().toString(), 1, spec, "UTC", TargetOs.LINUX);
    }

    void enrolled(PolicyDocument policy) throws IOException {
        AgentState s = new AgentState(state);
        UUID server = UUID.randomUUID();
        s.save(new AgentState.Config("http://127.0.0.1:1", server.toString(), "fs-01", 30, true, true,
                List.of(base.toString())), "fha_test");
        s.savePolicy(new AgentState.CachedPolicy("\"e1\"", new PollResponse(server, 30, policy, List.of())));
    }

    Process agent(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", classpath.resolve("classes") + File.pathSeparator + classpath.resolve("lib")
                        + File.separator + "*",
                AgentMain.class.getName()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--state-dir", state.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(base.resolve("agent.out").toFile())
                .start();
    }

    String output() throws IOException {
        return Files.readString(base.resolve("agent.out"));
    }

    int backupNow() throws Exception {
        Process p = agent("backup-now");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the agent ended");
        return p.exitValue();
    }

    List<JobEvent> spooled() throws IOException {
        return new EventSpool(state.resolve("spool")).pending(1000).stream().map(EventSpool.Pending::event).toList();
    }

    /** Back In Time's log lines without their time stamp: "{time}: arg1,arg2,…," becomes "arg1,arg2,…,". */
    static List<String> bitLines() throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.exists(BIT_LOG) ? Files.readAllLines(BIT_LOG) : List.<String>of()) {
            var m = BIT_LINE.matcher(line);
            assertTrue(m.matches(), "Back In Time's example writes {date time}: args…: " + line);
            out.add(m.group(1));
        }
        return out;
    }

    List<String> logLines() throws IOException {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    // ------------------------------------------------------------------ Back In Time

    @Test
    void backInTimesLoggingUserCallbackLogsEveryReasonOfABackupAndOfTheDaemon() throws Exception {
        Path callback = seedFile("/seeds/backintime/user-callback", base.resolve("config/backintime/user-callback"));
        PolicyDocument p = policy(base.resolve("archives").toString(), List.of(
                new PolicySpec.Hook(null, HookSource.USER_CALLBACK, HookMode.ESSENTIAL, 60, callback.toString(), null,
                        null, null)));
        String profile = p.policyId() + ",Nightly,";
        enrolled(p);

        // The daemon: reason 5 when it starts, reason 6 when it stops cleanly (SIGTERM).
        Process daemon = agent("run");
        try {
            AgentProcessTest.await(() -> bitLines().contains(profile + "5,"), Duration.ofSeconds(30));
        } finally {
            daemon.destroy();
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
        }
        assertEquals(List.of(profile + "5,", profile + "6,"), bitLines(), output());

        // A backup: reason 1, reason 3 with the snapshot id and path (the archive file), reason 2.
        Files.delete(BIT_LOG);
        assertEquals(0, backupNow(), output());
        Path archive;
        try (Stream<Path> files = Files.list(base.resolve("archives"))) {
            archive = files.filter(f -> f.toString().endsWith(".tar.gz")).findFirst().orElseThrow();
        }
        String id = archive.getFileName().toString().replace(".tar.gz", "");
        assertEquals(List.of(profile + "1,", profile + "3," + id + "," + archive + ",", profile + "2,"), bitLines());
        List<JobEvent> events = spooled();
        assertEquals(JobStatus.SUCCEEDED, AgentProcessTest.the(events, EventType.JOB_FINISHED).jobStatus());
    }

    @Test
    void backInTimeErrorCodeThreeWhenTheDestinationIsMissingAndANonZeroReturnAtReasonOneCancelsTheBackup()
            throws Exception {
        Path callback = seedFile("/seeds/backintime/user-callback", base.resolve("config/backintime/user-callback"));
        // The destination cannot be made: its parent is a file (a removable drive that is not mounted).
        Files.writeString(base.resolve("usb"), "not a folder");
        PolicyDocument p = policy(base.resolve("usb/backups").toString(), List.of(new PolicySpec.Hook(null,
                HookSource.USER_CALLBACK, HookMode.ESSENTIAL, 60, callback.toString(), null, null, null)));
        enrolled(p);
        String profile = p.policyId() + ",Nightly,";

        assertEquals(1, backupNow(), output());
        assertEquals(List.of(profile + "1,", profile + "2,", profile + "4,3,"), bitLines(),
                "no snapshot (no reason 3), the backup ended (2), then the error: 3 = snapshots folder not found");

        // A callback written to Back In Time's documentation: non-zero at reason 1 cancels the backup.
        Files.delete(BIT_LOG);
        Path veto = script(base.resolve("config/veto"), "user-callback",
                "echo \"$1 $2 $3\" >> " + log + "\n[ \"$3\" = 1 ] && exit 1\nexit 0");
        Files.createDirectories(base.resolve("archives"));
        PolicyDocument vetoing = policy(base.resolve("archives").toString(), List.of(new PolicySpec.Hook(null,
                HookSource.USER_CALLBACK, HookMode.ESSENTIAL, 60, veto.toString(), null, null, null)));
        enrolled(vetoing);
        String id = vetoing.policyId();

        assertEquals(1, backupNow(), output());
        List<JobEvent> events = spooled();
        assertEquals(BackupStatus.NOT_EXECUTED.code(), AgentProcessTest.the(events, EventType.BACKUP_FINISHED)
                .result().status());
        try (Stream<Path> files = Files.list(base.resolve("archives"))) {
            assertEquals(0, files.count(), "nothing was archived");
        }
        assertEquals(List.of(id + " Nightly 1", id + " Nightly 2", id + " Nightly 4"), logLines(),
                "canceled at 1; the backup process ended (2); the attempt failed (4)");
    }

    // ------------------------------------------------------------------ Rekkord

    /** A Rekkord hooks folder as its documentation describes it, then copied as it is ({@code cp -a}). */
    Path rekkordHooks(String name, String... scripts) throws IOException {
        Path original = base.resolve("opt/rekkord/hooks/" + name);
        for (int i = 0; i < scripts.length; i += 2) {
            script(original, scripts[i], scripts[i + 1]);
        }
        Path copy = base.resolve("etc/fleethook/hooks/" + name);
        Files.createDirectories(copy.getParent());
        AgentProcessTest.run("cp", "-a", original.toString(), copy.toString());
        return copy;
    }

    @Test
    void aRekkordHookFolderRunsAlphabeticallyAllOfItAndPostHooksSeeSuccessTurnZeroAfterOneFailed() throws Exception {
        Path presave = rekkordHooks("presave", "20-dump", "echo pre-20 >> " + log, "10-check", "echo pre-10 >> " + log);
        Path postsave = rekkordHooks("postsave",
                "30-notify", "echo \"post-30 SUCCESS=$SUCCESS\" >> " + log,
                "10-report", "echo \"post-10 SUCCESS=$SUCCESS\" >> " + log,
                "20-upload", "echo \"post-20 SUCCESS=$SUCCESS\" >> " + log + "; exit 3");
        enrolled(policy(base.resolve("archives").toString(), List.of(
                new PolicySpec.Hook(HookPhase.BEFORE_BACKUP, HookSource.DIRECTORY, HookMode.ESSENTIAL, 60,
                        presave.toString(), null, null, null),
                new PolicySpec.Hook(HookPhase.AFTER_BACKUP, HookSource.DIRECTORY, HookMode.ESSENTIAL, 60,
                        postsave.toString(), null, null, null))));

        assertEquals(0, backupNow(), "a partial backup is a backup: " + output());
        assertEquals(List.of("pre-10", "pre-20", "post-10 SUCCESS=1", "post-20 SUCCESS=1", "post-30 SUCCESS=0"),
                logLines(), "alphabetical, all of them; after 20-upload failed, SUCCESS is 0");
        List<JobEvent> events = spooled();
        assertEquals(JobStatus.PARTIAL, AgentProcessTest.the(events, EventType.JOB_FINISHED).jobStatus(),
                "a failed post hook makes Rekkord exit non-zero: the job is not a plain success");
    }

    @Test
    void aFailedRekkordPreHookStopsTheBackupAndThePostHooksSeeSuccessZero() throws Exception {
        Path presave = rekkordHooks("presave", "10-dump", "echo pre-10 >> " + log + "; exit 1",
                "20-other", "echo pre-20 >> " + log);
        Path postsave = rekkordHooks("postsave", "10-report", "echo \"post-10 SUCCESS=$SUCCESS\" >> " + log);
        enrolled(policy(base.resolve("archives").toString(), List.of(
                new PolicySpec.Hook(HookPhase.BEFORE_BACKUP, HookSource.DIRECTORY, HookMode.ESSENTIAL, 60,
                        presave.toString(), null, null, null),
                new PolicySpec.Hook(HookPhase.AFTER_BACKUP, HookSource.DIRECTORY, HookMode.ESSENTIAL, 60,
                        postsave.toString(), null, null, null))));

        assertEquals(1, backupNow(), output());
        assertEquals(List.of("pre-10", "pre-20", "post-10 SUCCESS=0"), logLines(),
                "every pre hook ran, the save did not happen, the post hook saw the failure");
        List<JobEvent> events = spooled();
        assertEquals(BackupStatus.NOT_EXECUTED.code(), AgentProcessTest.the(events, EventType.BACKUP_FINISHED)
                .result().status());
        assertEquals(ScriptStatus.FAILED.code(), events.stream().filter(e -> e.type() == EventType.HOOK_FINISHED)
                .findFirst().orElseThrow().result().status());
    }

    // ------------------------------------------------------------------ Kopia

    @Test
    void kopiasDumpExampleAsABeforeSnapshotRootActionLandsInTheArchive() throws Exception {
        // Kopia's "Dumping SQL databases" example, with mysqldump replaced by a dump any machine can make.
        Path before = script(base.resolve("kopia"), "before.sh",
                "set -e\necho \"dump of $KOPIA_ACTION\" > $KOPIA_SOURCE_PATH/dump.sql");
        Path after = script(base.resolve("kopia"), "after.sh",
                "echo \"$KOPIA_ACTION $KOPIA_SOURCE_PATH $KOPIA_SNAPSHOT_PATH\" >> " + log);
        enrolled(policy(base.resolve("archives").toString(), List.of(
                new PolicySpec.Hook(HookPhase.BEFORE_BACKUP, HookSource.COMMAND, HookMode.ESSENTIAL, 60, null,
                        List.of(before.toString()), null, null),
                new PolicySpec.Hook(HookPhase.AFTER_BACKUP, HookSource.COMMAND, HookMode.ESSENTIAL, 60, null,
                        List.of(after.toString()), null, null))));

        assertEquals(0, backupNow(), output());
        Path archive;
        try (Stream<Path> files = Files.list(base.resolve("archives"))) {
            archive = files.filter(f -> f.toString().endsWith(".tar.gz")).findFirst().orElseThrow();
        }
        assertTrue(EnginesTest.entries(archive).contains("data/dump.sql=dump of before-snapshot-root\n"),
                EnginesTest.entries(archive).toString());
        String data = base.resolve("data").toString();
        assertEquals(List.of("after-snapshot-root " + data + " " + data), logLines());
    }

    // ------------------------------------------------------------------ Kiwi

    @Test
    void kiwisScriptLauncherAndAnOnFilePluginAsAFileFilter() throws Exception {
        // Kiwi's plugins/script-launcher: pre_backup.sh on_backup_start, post_backup.sh on_backup_stop (the
        // database example, with the service commands replaced by lines in a log).
        Path plugin = base.resolve("kiwi/plugins/script-launcher");
        Path pre = script(plugin, "pre_backup.sh", "echo 'service mysql stop' >> " + log);
        Path post = script(plugin, "post_backup.sh", "echo 'service mysql start' >> " + log);
        // on_file: a plug-in that leaves out the files ending in .tmp, written to the file-filter wire format.
        Path filter = base.resolve("kiwi/plugins/skip-tmp/filter");
        Files.createDirectories(filter.getParent());
        Files.writeString(filter, FileFilterTest.DROP_TMP);
        AgentProcessTest.run("chmod", "755", filter.toString());
        Path data = data();
        Files.writeString(data.resolve("cache.tmp"), "scratch");
        PolicyDocument p = policy(base.resolve("archives").toString(), List.of(
                new PolicySpec.Hook(HookPhase.BEFORE_BACKUP, HookSource.COMMAND, HookMode.OPTIONAL, 60, null,
                        List.of(pre.toString()), null, null),
                new PolicySpec.Hook(HookPhase.FILE_FILTER, HookSource.COMMAND, HookMode.ESSENTIAL, 60, null,
                        List.of(filter.toString()), null, null),
                new PolicySpec.Hook(HookPhase.AFTER_BACKUP, HookSource.COMMAND, HookMode.OPTIONAL, 60, null,
                        List.of(post.toString()), null, null)));
        enrolled(p);

        assertEquals(0, backupNow(), output());
        assertEquals(List.of("service mysql stop", "service mysql start"), logLines());
        Path archive;
        try (Stream<Path> files = Files.list(base.resolve("archives"))) {
            archive = files.filter(f -> f.toString().endsWith(".tar.gz")).findFirst().orElseThrow();
        }
        assertEquals(List.of("data/a.txt=a"), EnginesTest.entries(archive), "cache.tmp was filtered out");
        JobEvent backup = AgentProcessTest.the(spooled(), EventType.BACKUP_FINISHED);
        assertEquals(1L, ((Number) backup.result().stats().get("filterDropped")).longValue());
    }
}
