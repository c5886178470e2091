package dev.fleethook.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.protocol.HookMode;
import dev.fleethook.protocol.HookPhase;
import dev.fleethook.protocol.HookSource;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScriptStatus;
import dev.fleethook.protocol.TargetOs;

/** Hooks with real processes: sources, modes, opt-ins, the environment and Kopia's example scripts. */
class HookRunnerTest {

    @TempDir
    Path dir;

    HookRunner runner(boolean hooks, boolean stored) {
        return new HookRunner(new HookRunner.Permissions(hooks, stored, List.of(dir)), dir, TargetOs.LINUX);
    }

    HookRunner.Context ctx(String source, String snapshot) {
        return new HookRunner.Context("job-7", 2, true, source, snapshot, 0, null, "fs-01", "Nightly", "0.1.0",
                "1234567890");
    }

    Path exe(Path folder, String name, String body) throws IOException {
        Files.createDirectories(folder);
        Path p = folder.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    static PolicyDocument.Hook hook(int index, HookPhase phase, HookSource source, HookMode mode, String path,
            List<String> command, String script) {
        return new PolicyDocument.Hook(index, phase, source, mode, 30, path, command, script,
                script == null ? null : dev.fleethook.protocol.Sha256.hex(script));
    }

    @Test
    void aDirectoryHookRunsEveryExecutableAlphabeticallyEvenAfterAFailure() throws IOException {
        Path d = dir.resolve("before.d");
        Path log = dir.resolve("order.log");
        exe(d, "30-last", "echo 30 >> " + log);
        exe(d, "10-first", "echo 10 >> " + log);
        exe(d, "20-fails", "echo 20 >> " + log + "; exit 5");
        Files.writeString(d.resolve("README"), "not executable");
        var result = runner(true, false).run(List.of(hook(0, HookPhase.BEFORE_BACKUP, HookSource.DIRECTORY,
                HookMode.ESSENTIAL, d.toString(), null, null)), HookPhase.BEFORE_BACKUP, ctx("/srv", null));
        assertEquals(List.of("10", "20", "30"), Files.readAllLines(log));
        assertTrue(result.failed(), "an essential directory hook with a failure fails the phase");
        assertEquals(ScriptStatus.FAILED.code(), result.runs().get(0).status());
        assertTrue(result.runs().get(0).detail().contains("20-fails: exit 5"), result.runs().get(0).detail());
    }

    @Test
    void optionalFailuresAreRecordedAndTolerated() throws IOException {
        Path bad = exe(dir, "bad.sh", "echo nope; exit 2");
        var result = runner(true, false).run(List.of(hook(0, HookPhase.AFTER_BACKUP, HookSource.COMMAND,
                HookMode.OPTIONAL, null, List.of(bad.toString()), null)), HookPhase.AFTER_BACKUP, ctx("/srv", null));
        assertFalse(result.failed());
        assertEquals(ScriptStatus.FAILED.code(), result.runs().get(0).status());
        assertEquals(2, result.runs().get(0).outcome().exitCode());
    }

    @Test
    void aCommandIsAnArgumentVectorNeverInterpretedByAShell() throws IOException {
        Path echo = exe(dir, "args.sh", "printf '%s\\n' \"$@\" > " + dir.resolve("args.txt"));
        String sneaky = "$(touch " + dir.resolve("pwned") + ")";
        runner(true, false).run(List.of(hook(0, HookPhase.BEFORE_BACKUP, HookSource.COMMAND, HookMode.ESSENTIAL, null,
                List.of(echo.toString(), sneaky, "a b"), null)), HookPhase.BEFORE_BACKUP, ctx("/srv", null));
        assertEquals(List.of(sneaky, "a b"), Files.readAllLines(dir.resolve("args.txt")));
        assertFalse(Files.exists(dir.resolve("pwned")));
    }

    @Test
    void storedScriptsRunWithShDashEOrDirectlyWithTheirShebang() throws IOException {
        String plain = "echo one\nfalse\necho never\n";
        String shebang = "#!/bin/sh\necho from-shebang\n";
        var result = runner(true, true).run(List.of(
                hook(0, HookPhase.BEFORE_BACKUP, HookSource.STORED, HookMode.OPTIONAL, null, null, plain),
                hook(1, HookPhase.BEFORE_BACKUP, HookSource.STORED, HookMode.ESSENTIAL, null, null, shebang)),
                HookPhase.BEFORE_BACKUP, ctx("/srv", null));
        var first = result.runs().get(0);
        assertEquals(ScriptStatus.FAILED.code(), first.status(), "sh -e stops at the first failing command");
        assertTrue(first.outcome().outputTail().contains("one"));
        assertFalse(first.outcome().outputTail().contains("never"));
        assertEquals("from-shebang", result.runs().get(1).outcome().outputTail().trim());
        assertFalse(result.failed());
    }

    @Test
    void withoutTheLocalOptInsNothingRunsAndTheRefusalIsRecorded() throws IOException {
        Path marker = dir.resolve("ran");
        Path script = exe(dir, "touch.sh", "touch " + marker);
        var disabled = runner(false, false).run(List.of(hook(0, HookPhase.BEFORE_BACKUP, HookSource.COMMAND,
                HookMode.ESSENTIAL, null, List.of(script.toString()), null)), HookPhase.BEFORE_BACKUP, ctx("/srv", null));
        assertTrue(disabled.runs().get(0).detail().startsWith("refused: hooks are not enabled"));
        assertTrue(disabled.failed());
        var noStored = runner(true, false).run(List.of(hook(0, HookPhase.BEFORE_BACKUP, HookSource.STORED,
                HookMode.ESSENTIAL, null, null, "touch " + marker)), HookPhase.BEFORE_BACKUP, ctx("/srv", null));
        assertTrue(noStored.runs().get(0).detail().contains("stored scripts are not enabled"));
        var outside = runner(true, true).run(List.of(hook(0, HookPhase.BEFORE_BACKUP, HookSource.COMMAND,
                HookMode.ESSENTIAL, null, List.of("/bin/touch", marker.toString()), null)), HookPhase.BEFORE_BACKUP,
                ctx("/srv", null));
        assertTrue(outside.runs().get(0).detail().contains("outside the agent's allowed roots"));
        var tampered = new PolicyDocument.Hook(0, HookPhase.BEFORE_BACKUP, HookSource.STORED, HookMode.ESSENTIAL, 30,
                null, null, "touch " + marker, "0".repeat(64));
        var mismatch = runner(true, true).run(List.of(tampered), HookPhase.BEFORE_BACKUP, ctx("/srv", null));
        assertTrue(mismatch.runs().get(0).detail().contains("does not match its SHA-256"));
        assertFalse(Files.exists(marker), "nothing ran");
    }

    @Test
    void anAsyncHookDoesNotHoldUpThePhaseButItsTimeoutKillsItsSessionAndItIsReportedTimedOut() throws IOException {
        // The reviewer's case: an async after-backup hook running sleep 47 with a 2 s timeout. The sleep is a
        // child of the script, so only killing the hook's whole session (process group) stops it.
        Path pids = dir.resolve("pids");
        Path slow = exe(dir, "slow.sh", "sleep 47 & echo $! >> " + pids + "; echo $$ >> " + pids + "; wait");
        List<HookRunner.Run> ended = new CopyOnWriteArrayList<>();
        HookRunner.AsyncHooks async = new HookRunner.AsyncHooks();
        HookRunner runner = new HookRunner(new ProcessGate(new HookRunner.Permissions(true, false, List.of(dir))), dir,
                TargetOs.LINUX, async, ended::add);
        var hook = new PolicyDocument.Hook(0, HookPhase.AFTER_BACKUP, HookSource.COMMAND, HookMode.ASYNC, 2, null,
                List.of(slow.toString()), null, null);

        Instant start = Instant.now();
        var result = runner.run(List.of(hook), HookPhase.AFTER_BACKUP, ctx("/srv", null));

        assertTrue(Duration.between(start, Instant.now()).toMillis() < 1500, "the phase did not wait for it");
        assertEquals(List.of(), result.runs(), "not reported as started: its one report is its end");
        assertFalse(result.failed());
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pids) && Files.readAllLines(pids).size() == 2);
        List<Long> processes = Files.readAllLines(pids).stream().map(String::trim).map(Long::parseLong).toList();

        assertEquals(0, async.await("job-7"), "ended within its timeout and the kill");
        assertTrue(Duration.between(start, Instant.now()).toSeconds() < 40, "killed, not waited for to the end");
        assertEquals(1, ended.size());
        HookRunner.Run run = ended.get(0);
        assertEquals(ScriptStatus.TIMED_OUT.code(), run.status(), run.detail());
        assertEquals(HookPhase.AFTER_BACKUP, run.phase());
        assertTrue(run.detail().contains("timed out after 2 s"), run.detail());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(List.of(), alive(processes),
                "no process of the hook survives"));
    }

    /** Those of {@code pids} still running (a killed child may take a moment to be reaped). */
    static List<Long> alive(List<Long> pids) {
        return pids.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).toList();
    }

    @Test
    void anAsyncHookThatSucceedsIsReportedSuccessfulWhenItEnds() throws IOException {
        Path quick = exe(dir, "quick.sh", "exit 0");
        List<HookRunner.Run> ended = new CopyOnWriteArrayList<>();
        HookRunner.AsyncHooks async = new HookRunner.AsyncHooks();
        new HookRunner(new ProcessGate(new HookRunner.Permissions(true, false, List.of(dir))), dir, TargetOs.LINUX,
                async, ended::add).run(List.of(hook(3, HookPhase.AFTER_FINAL_FAILURE, HookSource.COMMAND, HookMode.ASYNC,
                        null, List.of(quick.toString()), null)), HookPhase.AFTER_FINAL_FAILURE, ctx("/srv", null));
        assertEquals(0, async.await("job-7"));
        assertEquals(1, ended.size());
        assertEquals(ScriptStatus.SUCCEEDED.code(), ended.get(0).status(), ended.get(0).detail());
        assertEquals(3, ended.get(0).index());
    }

    @Test
    void kopiasDatabaseDumpExampleRunsUnchanged() throws IOException {
        Path source = Files.createDirectories(dir.resolve("share"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        // A stand-in for mysqldump that writes its --result-file, as the real one does.
        exe(bin, "mysqldump", "for a in \"$@\"; do case $a in --result-file=*) echo '-- dump' > \"${a#--result-file=}\";; esac; done");
        String kopiaExample = "#!/bin/sh\nset -e\nPATH=" + bin + ":$PATH\nmysqldump SomeDatabase --result-file=$KOPIA_SOURCE_PATH/dump.sql\n";
        var result = runner(true, true).run(List.of(hook(0, HookPhase.BEFORE_FOLDER, HookSource.STORED,
                HookMode.ESSENTIAL, null, null, kopiaExample)), HookPhase.BEFORE_FOLDER, ctx(source.toString(), null));
        assertFalse(result.failed(), String.valueOf(result.runs()));
        assertEquals("-- dump", Files.readString(source.resolve("dump.sql")).trim());
    }

    @Test
    void kopiasSnapshotRedirectPatternWorksAgainstAPlainFolder() throws IOException {
        Path source = Files.createDirectories(dir.resolve("data"));
        Files.writeString(source.resolve("file.txt"), "payload");
        Path mnt = dir.resolve("mnt");
        // The ZFS example with "zfs snapshot" + "mount" replaced by a copy into /mnt/<snapshot id>.
        String before = "#!/bin/sh\nset -e\nmkdir -p " + mnt + "/$KOPIA_SNAPSHOT_ID\ncp -r $KOPIA_SOURCE_PATH/. " + mnt
                + "/$KOPIA_SNAPSHOT_ID/\necho KOPIA_SNAPSHOT_PATH=" + mnt + "/$KOPIA_SNAPSHOT_ID\n";
        var b = runner(true, true).run(List.of(hook(0, HookPhase.BEFORE_BACKUP, HookSource.STORED, HookMode.ESSENTIAL,
                null, null, before)), HookPhase.BEFORE_BACKUP, ctx(source.toString(), null));
        assertEquals(mnt.resolve("1234567890").toString(), b.redirect());
        assertEquals("payload", Files.readString(Path.of(b.redirect()).resolve("file.txt")));
        String after = "#!/bin/sh\nset -e\necho \"$KOPIA_ACTION $KOPIA_SOURCE_PATH $KOPIA_SNAPSHOT_PATH $FLEETHOOK_FINAL_ATTEMPT\" > "
                + dir.resolve("after.txt") + "\nrm -rf $KOPIA_SNAPSHOT_PATH\n";
        runner(true, true).run(List.of(hook(1, HookPhase.AFTER_BACKUP, HookSource.STORED, HookMode.ESSENTIAL, null, null,
                after)), HookPhase.AFTER_BACKUP, ctx(source.toString(), b.redirect()));
        assertEquals("after-snapshot-root " + source + " " + b.redirect() + " 1", Files.readString(dir.resolve("after.txt")).trim());
        assertFalse(Files.exists(Path.of(b.redirect())), "the after hook cleaned the snapshot up");
    }

    static PolicyDocument.Hook hook(int index, HookPhase phase, HookSource source, int timeoutSeconds, String path) {
        return new PolicyDocument.Hook(index, phase, source, HookMode.ESSENTIAL, timeoutSeconds, path, null, null, null);
    }

    @Test
    void aDirectoryHooksTimeoutBoundsAllItsFilesTogether() throws IOException {
        // Case 3 of issue 11: timeoutSeconds 2, two files of sleep 600: ~2 s, not 2 s per file.
        Path d = dir.resolve("before.d");
        exe(d, "10-sleep", "sleep 600");
        exe(d, "20-sleep", "sleep 600");
        long start = System.currentTimeMillis();
        var result = runner(true, false).run(List.of(hook(0, HookPhase.BEFORE_BACKUP, HookSource.DIRECTORY, 2,
                d.toString())), HookPhase.BEFORE_BACKUP, ctx(null, null));
        long took = System.currentTimeMillis() - start;

        assertTrue(took < 3500, "the whole hook took " + took + " ms");
        HookRunner.Run run = result.runs().get(0);
        assertEquals(ScriptStatus.TIMED_OUT.code(), run.status());
        assertTrue(result.failed());
        assertTrue(run.detail().contains("10-sleep: timed out"), run.detail());
        assertTrue(run.detail().contains("20-sleep: not run, the hook's timeout of 2 s was used up"), run.detail());
    }

    @Test
    void aDirectoryHookListsEveryFileItDidNotRunAndWhy() throws IOException {
        // Case 4 of issue 11: a mode-644 script is not left out without a word.
        Path d = dir.resolve("after.d");
        Path log = dir.resolve("ran.log");
        exe(d, "10-ok", "echo ok >> " + log);
        Path script = exe(d, "20-forgot-chmod.sh", "echo never >> " + log);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(d.resolve("README"), "notes, not a script");
        Files.createDirectories(d.resolve("old"));
        var result = runner(true, false).run(List.of(hook(0, HookPhase.AFTER_BACKUP, HookSource.DIRECTORY, 30,
                d.toString())), HookPhase.AFTER_BACKUP, ctx(null, null));

        HookRunner.Run run = result.runs().get(0);
        assertEquals(List.of("ok"), Files.readAllLines(log));
        assertEquals(ScriptStatus.FAILED.code(), run.status(), "a #! script that cannot run fails the hook");
        assertTrue(run.detail().contains("20-forgot-chmod.sh: not run, not executable (a script with #!, mode rw-r--r--)"),
                run.detail());
        assertTrue(run.detail().contains("README: not run (not executable)"), run.detail());
        assertTrue(run.detail().contains("old: not run (a folder)"), run.detail());
        assertTrue(run.detail().contains("10-ok: exit 0"), run.detail());
    }

    @Test
    void aMissingHookFolderOrProgramIsFailedNotSkipped() throws IOException {
        // Only the Druva convention's missing pre/post-script is Skipped.
        var folder = runner(true, false).run(List.of(hook(0, HookPhase.BEFORE_BACKUP, HookSource.DIRECTORY, 30,
                dir.resolve("nope.d").toString())), HookPhase.BEFORE_BACKUP, ctx(null, null));
        assertEquals(ScriptStatus.FAILED.code(), folder.runs().get(0).status());
        assertTrue(folder.runs().get(0).detail().endsWith("nope.d does not exist"), folder.runs().get(0).detail());
        var command = runner(true, false).run(List.of(hook(0, HookPhase.BEFORE_BACKUP, HookSource.COMMAND,
                HookMode.OPTIONAL, null, List.of(dir.resolve("bin/gone").toString()), null)), HookPhase.BEFORE_BACKUP,
                ctx(null, null));
        assertEquals(ScriptStatus.FAILED.code(), command.runs().get(0).status());
        assertTrue(command.runs().get(0).detail().endsWith("bin/gone does not exist"), command.runs().get(0).detail());
    }

    @Test
    void windowsLineEndingsAreNamedInDirectoryAndStoredHooks() throws IOException {
        // Case 5 of issue 11.
        Path d = Files.createDirectories(dir.resolve("crlf.d"));
        Path f = d.resolve("10-dos");
        Files.writeString(f, "#!/bin/sh\r\necho hi\r\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        var folder = runner(true, false).run(List.of(hook(0, HookPhase.BEFORE_BACKUP, HookSource.DIRECTORY, 30,
                d.toString())), HookPhase.BEFORE_BACKUP, ctx(null, null));
        assertEquals(ScriptStatus.FAILED.code(), folder.runs().get(0).status());
        assertTrue(folder.runs().get(0).detail().contains("carriage return"), folder.runs().get(0).detail());

        for (String body : List.of("#!/bin/sh\r\necho hi\r\n", "echo hi\r\nexit 0\r\n")) {
            var stored = runner(true, true).run(List.of(hook(0, HookPhase.BEFORE_BACKUP, HookSource.STORED,
                    HookMode.ESSENTIAL, null, null, body)), HookPhase.BEFORE_BACKUP, ctx(null, null));
            HookRunner.Run run = stored.runs().get(0);
            assertEquals(ScriptStatus.FAILED.code(), run.status());
            assertTrue(run.detail().contains("Windows line endings (CR LF)"), run.detail());
        }
    }

    @Test
    void anAsyncHookThatCannotStartIsFailedNotReportedStarted() throws IOException {
        Path p = exe(dir.resolve("bin"), "notify", "echo hi");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        var result = runner(true, false).run(List.of(hook(0, HookPhase.AFTER_BACKUP, HookSource.COMMAND, HookMode.ASYNC,
                null, List.of(p.toString()), null)), HookPhase.AFTER_BACKUP, ctx(null, null));
        assertEquals(ScriptStatus.FAILED.code(), result.runs().get(0).status());
        assertTrue(result.runs().get(0).detail().contains("not executable"), result.runs().get(0).detail());
    }

    @Test
    void aDirectoryHookFileWhoseNameIsNotUtf8IsListedAsNotRun() throws Exception {
        // Case 7's kind in hooks: a Latin-1 name cannot be named exactly to start it, so it is named instead.
        Path d = dir.resolve("latin1.d");
        exe(d, "10-ok", "exit 0");
        Process p = new ProcessBuilder("sh", "-c", "f=\"$(printf 'caf\\351')\"; printf '#!/bin/sh\\nexit 0\\n' > \"$f\"; "
                + "chmod 755 \"$f\"").directory(d.toFile()).start();
        assertEquals(0, p.waitFor());
        var result = runner(true, false).run(List.of(hook(0, HookPhase.BEFORE_BACKUP, HookSource.DIRECTORY, 30,
                d.toString())), HookPhase.BEFORE_BACKUP, ctx(null, null));
        HookRunner.Run run = result.runs().get(0);
        assertEquals(ScriptStatus.FAILED.code(), run.status());
        assertTrue(run.detail().contains("caf\uFFFD: not run, its name is not valid UTF-8"), run.detail());
        assertTrue(run.detail().contains("10-ok: exit 0"), run.detail());
    }

    @Test
    void rekkordsSuccessIsSetAfterTheBackupOnlyAndTurnsZeroForTheHooksAfterOneOfThePhaseFailed() throws IOException {
        Path log = dir.resolve("success.log");
        Path fails = exe(dir, "fails.sh", "echo \"fails SUCCESS=${SUCCESS-unset}\" >> " + log + "; exit 1");
        Path later = exe(dir, "later.sh", "echo \"later SUCCESS=${SUCCESS-unset} $FLEETHOOK_SUCCESS\" >> " + log);
        HookRunner.Context succeeded = new HookRunner.Context("job-7", 1, true, "/srv", null, 0, 0, "fs-01", "Nightly",
                "0.1.0", "1234567890");
        runner(true, false).run(List.of(
                hook(0, HookPhase.AFTER_BACKUP, HookSource.COMMAND, HookMode.OPTIONAL, null, List.of(fails.toString()), null),
                hook(1, HookPhase.AFTER_BACKUP, HookSource.COMMAND, HookMode.OPTIONAL, null, List.of(later.toString()), null)),
                HookPhase.AFTER_BACKUP, succeeded);
        runner(true, false).run(List.of(
                hook(0, HookPhase.BEFORE_BACKUP, HookSource.COMMAND, HookMode.OPTIONAL, null, List.of(later.toString()), null)),
                HookPhase.BEFORE_BACKUP, ctx("/srv", null));
        assertEquals(List.of("fails SUCCESS=1", "later SUCCESS=0 0", "later SUCCESS=unset 0"), Files.readAllLines(log),
                "after a failed hook of the same phase SUCCESS is 0; before the backup there is no SUCCESS");
    }

    @Test
    void aUserCallbackIsCalledOncePerReasonWithBackInTimesArgumentsAndFailsWhenOneCallFails() throws IOException {
        Path log = dir.resolve("callback.log");
        Path callback = exe(dir, "user-callback", "echo \"$*\" >> " + log + "; [ \"$3\" != 2 ]");
        HookRunner.Context c = new HookRunner.Context("job-7", 1, true, "/srv", null, 0, 0, "fs-01", "Nightly", "0.1.0",
                "1234567890", List.of("/srv"), List.of(List.of("p1", "Nightly", "3", "snap", "/a/snap.tar.gz"),
                        List.of("p1", "Nightly", "2")));
        var result = runner(true, false).run(List.of(hook(0, HookPhase.AFTER_BACKUP, HookSource.USER_CALLBACK,
                HookMode.ESSENTIAL, callback.toString(), null, null)), HookPhase.AFTER_BACKUP, c);
        assertEquals(List.of("p1 Nightly 3 snap /a/snap.tar.gz", "p1 Nightly 2"), Files.readAllLines(log));
        assertTrue(result.failed());
        assertEquals("reason 3 snap: exit 0, reason 2: exit 1", result.runs().get(0).detail());

        var refused = runner(true, false).run(List.of(hook(0, HookPhase.AFTER_BACKUP, HookSource.USER_CALLBACK,
                HookMode.ESSENTIAL, "/usr/bin/true", null, null)), HookPhase.AFTER_BACKUP, c);
        assertTrue(refused.runs().get(0).detail().startsWith("refused:"), refused.runs().get(0).detail());
    }
}
