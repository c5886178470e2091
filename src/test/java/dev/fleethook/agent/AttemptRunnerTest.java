package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.TargetOs;

/** Every row of the Druva table, with real shell scripts and real processes. */
class AttemptRunnerTest {

    static final String JOB = "job-42";

    @TempDir
    Path dir;

    final AtomicBoolean backupRan = new AtomicBoolean();

    AttemptRunner.Engine engine(BackupStatus status) {
        return (cancel, deadline) -> {
            backupRan.set(true);
            return new AttemptRunner.Engine.Result(status, status == BackupStatus.SUCCEEDED ? 0 : 1, 5, "backed up");
        };
    }

    Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    /** A post-script that records the arguments it was given. */
    Path recordingPost() throws IOException {
        return script("post_script.sh", "echo \"$0|$1|$2|$3|$FLEETHOOK_PRE_STATUS|$FLEETHOOK_BACKUP_STATUS\" > " + dir.resolve("post.args"));
    }

    AttemptRunner runner(boolean enabled, boolean skip, Integer timeout) {
        return new AttemptRunner(new PolicyDocument.Scripts(enabled, dir.toString(), dir.resolve("pre_script.sh").toString(),
                dir.resolve("post_script.sh").toString(), skip, timeout), TargetOs.LINUX);
    }

    /** Whether a process still runs: gone, or a zombie waiting to be reaped, counts as not running. */
    static boolean running(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String s = Files.readString(stat);
        return !s.substring(s.lastIndexOf(')') + 2).startsWith("Z");
    }

    String postArgs() throws IOException {
        return Files.readString(dir.resolve("post.args")).trim();
    }

    @Test
    void successfulPreScriptRunsTheBackupAndThePostScriptWithTheStatusIntegers() throws IOException {
        script("pre_script.sh", "echo \"pre $0 $1\" > " + dir.resolve("pre.args"));
        recordingPost();
        var r = runner(true, true, 60).run(JOB, Map.of(), engine(BackupStatus.SUCCEEDED), () -> false, null);
        assertEquals(ScriptStatus.SUCCEEDED.code(), r.pre().status());
        assertTrue(backupRan.get());
        assertEquals(BackupStatus.SUCCEEDED.code(), r.backup().status());
        assertEquals(ScriptStatus.SUCCEEDED.code(), r.post().status());
        assertEquals("pre " + dir.resolve("pre_script.sh") + " " + JOB, Files.readString(dir.resolve("pre.args")).trim());
        assertEquals(dir.resolve("post_script.sh") + "|" + JOB + "|0|0|0|0", postArgs());
    }

    @Test
    void failedBackupIsPassedToThePostScript() throws IOException {
        script("pre_script.sh", "exit 0");
        recordingPost();
        var r = runner(true, true, 60).run(JOB, Map.of(), engine(BackupStatus.FAILED), () -> false, null);
        assertEquals(BackupStatus.FAILED.code(), r.backup().status());
        assertTrue(postArgs().endsWith("|0|1|0|1"), postArgs());
    }

    @Test
    void failedPreScriptWithSkipOffStillBacksUpAndRunsThePostScript() throws IOException {
        script("pre_script.sh", "echo broken; exit 3");
        recordingPost();
        var r = runner(true, false, 60).run(JOB, Map.of(), engine(BackupStatus.SUCCEEDED), () -> false, null);
        assertEquals(ScriptStatus.FAILED.code(), r.pre().status());
        assertEquals(3, r.pre().outcome().exitCode());
        assertEquals("broken", r.pre().outcome().outputTail().trim());
        assertTrue(backupRan.get());
        assertTrue(postArgs().endsWith("|1|0|1|0"), postArgs());
    }

    @Test
    void failedPreScriptWithSkipOnDoesNotBackUpButRunsThePostScript() throws IOException {
        script("pre_script.sh", "exit 1");
        recordingPost();
        var r = runner(true, true, 60).run(JOB, Map.of(), engine(BackupStatus.SUCCEEDED), () -> false, null);
        assertFalse(backupRan.get());
        assertEquals(BackupStatus.NOT_EXECUTED.code(), r.backup().status());
        assertEquals(ScriptStatus.SUCCEEDED.code(), r.post().status());
        assertTrue(postArgs().endsWith("|1|4|1|4"), postArgs());
    }

    @Test
    void aTimedOutPreScriptIsKilledWithItsGrandchildren() throws Exception {
        Path pidFile = dir.resolve("grandchild.pid");
        script("pre_script.sh", "sh -c 'sleep 300 & echo $! > " + pidFile + "; wait' ; sleep 300");
        recordingPost();
        Instant start = Instant.now();
        var r = runner(true, true, 1).run(JOB, Map.of(), engine(BackupStatus.SUCCEEDED), () -> false, null);
        assertTrue(Duration.between(start, Instant.now()).toSeconds() < 20, "not waiting for the sleeps");
        assertEquals(ScriptStatus.TIMED_OUT.code(), r.pre().status());
        assertTrue(r.pre().outcome().timedOut());
        assertEquals(BackupStatus.NOT_EXECUTED.code(), r.backup().status());
        long grandchild = Long.parseLong(Files.readString(pidFile).trim());
        org.awaitility.Awaitility.await("grandchild killed").atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(50)).until(() -> !running(grandchild));
        assertTrue(postArgs().endsWith("|3|4|3|4"), postArgs());
    }

    @Test
    void aMissingPreScriptWithSkipOffBacksUpButNeverRunsThePostScript() throws IOException {
        recordingPost();
        var r = runner(true, false, 60).run(JOB, Map.of(), engine(BackupStatus.SUCCEEDED), () -> false, null);
        assertEquals(ScriptStatus.SKIPPED.code(), r.pre().status());
        assertTrue(backupRan.get());
        assertEquals(ScriptStatus.SKIPPED.code(), r.post().status());
        assertFalse(Files.exists(dir.resolve("post.args")), "the post-script did not run");
    }

    @Test
    void aMissingPreScriptWithSkipOnSkipsBackupAndPostScript() throws IOException {
        recordingPost();
        var r = runner(true, true, 60).run(JOB, Map.of(), engine(BackupStatus.SUCCEEDED), () -> false, null);
        assertEquals(ScriptStatus.SKIPPED.code(), r.pre().status());
        assertEquals(BackupStatus.NOT_EXECUTED.code(), r.backup().status());
        assertEquals(ScriptStatus.SKIPPED.code(), r.post().status());
        assertFalse(Files.exists(dir.resolve("post.args")));
    }

    @Test
    void disabledScriptsBackUpWithoutRunningAnyScript() throws IOException {
        script("pre_script.sh", "touch " + dir.resolve("pre.ran"));
        recordingPost();
        var r = runner(false, true, 60).run(JOB, Map.of(), engine(BackupStatus.SUCCEEDED), () -> false, null);
        assertEquals(ScriptStatus.DISABLED.code(), r.pre().status());
        assertEquals(ScriptStatus.DISABLED.code(), r.post().status());
        assertTrue(backupRan.get());
        assertFalse(Files.exists(dir.resolve("pre.ran")));
        assertFalse(Files.exists(dir.resolve("post.args")));
    }

    @Test
    void aMissingPostScriptIsSkippedAfterASuccessfulPreScript() throws IOException {
        script("pre_script.sh", "exit 0");
        var r = runner(true, true, 60).run(JOB, Map.of(), engine(BackupStatus.SUCCEEDED), () -> false, null);
        assertEquals(ScriptStatus.SUCCEEDED.code(), r.pre().status());
        assertEquals(ScriptStatus.SKIPPED.code(), r.post().status());
        assertNull(r.post().outcome());
    }

    @Test
    void aPreScriptKilledFromOutsideCountsAsFailedAndTheJobGoesOn() throws Exception {
        Path pidFile = dir.resolve("pre.pid");
        script("pre_script.sh", "echo $$ > " + pidFile + "; sleep 300");
        recordingPost();
        Thread killer = new Thread(() -> {
            try {
                org.awaitility.Awaitility.await("the pre-script's pid").atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank());
                long pid = Long.parseLong(Files.readString(pidFile).trim());
                new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        killer.start();
        var r = runner(true, false, 120).run(JOB, Map.of(), engine(BackupStatus.SUCCEEDED), () -> false, null);
        killer.join();
        assertEquals(ScriptStatus.FAILED.code(), r.pre().status());
        assertEquals(137, r.pre().outcome().exitCode());
        assertTrue(backupRan.get(), "skip is off: the backup runs after the killed pre-script");
        assertTrue(postArgs().endsWith("|1|0|1|0"), postArgs());
    }

    @Test
    void cancelDuringThePreScriptLetsItFinishCancelsTheBackupAndRunsThePostScript() throws IOException {
        AtomicBoolean cancel = new AtomicBoolean();
        script("pre_script.sh", "touch " + dir.resolve("pre.started") + "; sleep 1; touch " + dir.resolve("pre.finished"));
        recordingPost();
        // Cancel once the pre-script runs (it then has a second to go).
        Thread canceller = new Thread(() -> {
            org.awaitility.Awaitility.await("the pre-script started").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20)).until(() -> Files.exists(dir.resolve("pre.started")));
            cancel.set(true);
        });
        canceller.start();
        var r = runner(true, true, 60).run(JOB, Map.of(), engine(BackupStatus.SUCCEEDED), cancel::get, null);
        assertTrue(Files.exists(dir.resolve("pre.finished")), "the pre-script ran to its end");
        assertEquals(ScriptStatus.SUCCEEDED.code(), r.pre().status());
        assertFalse(backupRan.get());
        assertEquals(BackupStatus.CANCELED.code(), r.backup().status());
        assertTrue(postArgs().endsWith("|0|2|0|2"), postArgs());
    }

    @Test
    void aWindowExpiringDuringThePreScriptStopsItAsFailedAndRunsThePostScript() throws IOException {
        script("pre_script.sh", "sleep 300");
        recordingPost();
        var r = runner(true, false, null).run(JOB, Map.of(), engine(BackupStatus.SUCCEEDED), () -> false,
                Instant.now().plusSeconds(1));
        assertEquals(ScriptStatus.FAILED.code(), r.pre().status());
        assertTrue(r.pre().outcome().windowExpired());
        assertFalse(backupRan.get());
        assertEquals(BackupStatus.WINDOW_EXPIRED.code(), r.backup().status());
        assertTrue(postArgs().endsWith("|1|3|1|3"), postArgs());
    }

    @Test
    void windowsScriptsAreBatFilesRunThroughCmdWithTheSameArguments() {
        var windows = new AttemptRunner(new PolicyDocument.Scripts(true, "C:\\s", "C:\\s\\pre_script.bat",
                "C:\\s\\post_script.bat", true, null), TargetOs.WINDOWS);
        assertEquals(List.of("cmd.exe", "/c", "C:\\s\\pre_script.bat", JOB),
                windows.command("C:\\s\\pre_script.bat", List.of(JOB)));
        assertEquals(List.of("cmd.exe", "/c", "C:\\s\\post_script.bat", JOB, "1", "4"),
                windows.command("C:\\s\\post_script.bat", List.of(JOB, "1", "4")));
    }

    @Test
    void aPostScriptThatIsNotExecutableIsFailedNotSkipped() throws IOException {
        // Case 4 of issue 11: mode 644 was shown Skipped, the job succeeded and nobody was told.
        script("pre_script.sh", "exit 0");
        Path post = recordingPost();
        Files.setPosixFilePermissions(post, PosixFilePermissions.fromString("rw-r--r--"));
        var r = runner(true, true, 60).run(JOB, Map.of(), engine(BackupStatus.SUCCEEDED), () -> false, null);
        assertEquals(ScriptStatus.FAILED.code(), r.post().status());
        String why = AgentEvents.result(r.post()).detail();
        assertTrue(why.contains("post_script.sh is not executable (mode rw-r--r--)"), why);
        assertFalse(Files.exists(dir.resolve("post.args")), "not run");
    }

    @Test
    void aPreScriptThatCannotRunIsFailedSoTheBackupIsSkippedAndThePostScriptRuns() throws IOException {
        // Case 5 of issue 11: CR LF after the interpreter; Failed (not Skipped), so the post-script still runs.
        Path pre = dir.resolve("pre_script.sh");
        Files.writeString(pre, "#!/bin/sh\r\necho hi\r\n");
        Files.setPosixFilePermissions(pre, PosixFilePermissions.fromString("rwxr-xr-x"));
        recordingPost();
        var r = runner(true, true, 60).run(JOB, Map.of(), engine(BackupStatus.SUCCEEDED), () -> false, null);
        assertEquals(ScriptStatus.FAILED.code(), r.pre().status());
        String why = AgentEvents.result(r.pre()).detail();
        assertTrue(why.contains("Windows line endings") && why.contains("carriage return"), why);
        assertEquals(BackupStatus.NOT_EXECUTED.code(), r.backup().status());
        assertEquals(dir.resolve("post_script.sh") + "|" + JOB + "|1|4|1|4", postArgs());
    }

    @Test
    void anEngineThatThrowsIsAFailedBackupAndThePostScriptStillRuns() throws IOException {
        // The general kind of case 1: any exception inside the backup step.
        script("pre_script.sh", "exit 0");
        recordingPost();
        AttemptRunner.Engine broken = (cancel, deadline) -> {
            throw new java.io.UncheckedIOException(new java.nio.file.AccessDeniedException("/srv/data/private"));
        };
        var r = runner(true, true, 60).run(JOB, Map.of(), broken, () -> false, null);
        assertEquals(BackupStatus.FAILED.code(), r.backup().status());
        assertEquals("the backup stopped with an error: permission denied: /srv/data/private",
                r.backup().outcome().outputTail());
        assertEquals(dir.resolve("post_script.sh") + "|" + JOB + "|0|1|0|1", postArgs());
    }
}
