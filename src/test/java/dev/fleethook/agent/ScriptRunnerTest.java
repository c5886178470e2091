package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One script as a real process: a timeout kills everything it started (its own session / process group),
 * the step ends within a bounded grace even when something keeps the output pipe open, and a script that
 * cannot run says why (not executable, Windows line endings, a missing interpreter).
 */
class ScriptRunnerTest {

    @TempDir
    Path dir;

    /** A marker no other process on the machine has: sleep's argument. */
    final long marker = 6_000_000 + ThreadLocalRandom.current().nextInt(1_000_000);

    Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    /** The script as the gate allows it: hooks enabled, the test's folder the allowed root. */
    ProcessGate.Launch launch(Path script) {
        ProcessGate.Decision d = new ProcessGate(new HookRunner.Permissions(true, false, List.of(dir)))
                .policyProgram(List.of(script.toString()), 0, dir);
        assertTrue(d.allowed(), d.refusal());
        return d.launch();
    }

    /** Processes still alive whose command line holds {@code sleep <marker+offset>}. */
    List<ProcessHandle> alive(int... offsets) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive).filter(h -> {
            String line = h.info().commandLine().orElse("");
            for (int o : offsets) {
                if (line.endsWith("sleep " + (marker + o))) {
                    return true;
                }
            }
            return false;
        }).toList();
    }

    @AfterEach
    void killLeftovers() {
        alive(0, 1, 2, 3, 4, 5, 6, 7, 8, 9).forEach(ProcessHandle::destroyForcibly);
    }

    static void await(java.util.function.BooleanSupplier condition, Duration within) {
        org.awaitility.Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(20))
                .until(condition::getAsBoolean);
    }

    @Test
    void aTimedOutScriptLeavesNothingAliveAndEndsRightAfterItsTimeout() throws Exception {
        // Case 2 of issue 11: a background child, a child in its own session, an orphan of a subshell.
        Path pre = script("pre_script.sh", "sleep " + marker + " & setsid sleep " + (marker + 1) + " & ( sleep "
                + (marker + 2) + " & ) ; echo started; sleep " + (marker + 3));
        ScriptRunner.Outcome o = ScriptRunner.run(launch(pre), Map.of(), Duration.ofSeconds(3), null);

        assertTrue(o.timedOut());
        assertTrue(!o.succeeded());
        assertTrue(o.durationMs() >= 3000 && o.durationMs() < 4500,
                "ends within a bounded grace after the 3 s timeout, took " + o.durationMs() + " ms");
        assertTrue(o.outputTail().contains("started"), o.outputTail());
        await(() -> alive(0, 1, 2, 3).isEmpty(), Duration.ofSeconds(3));
    }

    @Test
    void aDaemonThatEscapesTheSessionCannotHoldTheStepOpen() throws Exception {
        // What a script can still escape (README): a double fork into a new session. It survives the kill,
        // and it holds the output pipe, but the step still ends within the grace.
        Path pre = script("pre_script.sh", "( setsid sleep " + (marker + 5) + " & ) ; sleep " + (marker + 6));
        long start = System.currentTimeMillis();
        ScriptRunner.Outcome o = ScriptRunner.run(launch(pre), Map.of(), Duration.ofSeconds(2), null);
        long took = System.currentTimeMillis() - start;

        assertTrue(o.timedOut());
        assertTrue(took < 3500, "took " + took + " ms");
        await(() -> alive(6).isEmpty(), Duration.ofSeconds(3));
        assertEquals(1, alive(5).size(), "the double-forked daemon escaped, as documented");
    }

    @Test
    void aScriptThatIsNotExecutableIsNamedAsSuchNotMissing() throws IOException {
        Path post = script("post_script.sh", "echo never");
        Files.setPosixFilePermissions(post, PosixFilePermissions.fromString("rw-r--r--"));
        ScriptRunner.Outcome o = ScriptRunner.run(launch(post), Map.of(), null, null);
        assertEquals(null, o.exitCode());
        assertTrue(o.error().contains("is not executable (mode rw-r--r--)"), o.error());
    }

    @Test
    void windowsLineEndingsAfterTheInterpreterAreNamed() throws IOException {
        Path pre = dir.resolve("pre_script.sh");
        Files.writeString(pre, "#!/bin/sh\r\necho hi\r\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(pre, PosixFilePermissions.fromString("rwxr-xr-x"));
        ScriptRunner.Outcome o = ScriptRunner.run(launch(pre), Map.of(), null, null);
        assertEquals(null, o.exitCode());
        assertTrue(o.error().contains("Windows line endings") && o.error().contains("carriage return"), o.error());
    }

    @Test
    void aMissingInterpreterIsNamed() throws IOException {
        Path pre = dir.resolve("pre_script.sh");
        Files.writeString(pre, "#!/usr/bin/no-such-shell\necho hi\n");
        Files.setPosixFilePermissions(pre, PosixFilePermissions.fromString("rwxr-xr-x"));
        ScriptRunner.Outcome o = ScriptRunner.run(launch(pre), Map.of(), null, null);
        assertTrue(o.error().contains("/usr/bin/no-such-shell") && o.error().contains("does not exist"), o.error());
    }

    @Test
    void aScriptDoesNotShareTheAgentsProcessGroup() throws IOException {
        // So that Ctrl-C on the agent's terminal does not kill a pre-script that Cancel lets finish.
        Path s = script("group.sh", "ps -o pgid= -p $$");
        ScriptRunner.Outcome o = ScriptRunner.run(launch(s), Map.of(), null, null);
        assertEquals(0, o.exitCode(), o.outputTail());
        long pgid = Long.parseLong(o.outputTail().trim());
        assertTrue(pgid != ProcessHandle.current().pid(), "own process group");
        String mine = new String(new ProcessBuilder("ps", "-o", "pgid=", "-p", Long.toString(ProcessHandle.current().pid()))
                .start().getInputStream().readAllBytes()).trim();
        assertTrue(pgid != Long.parseLong(mine), "not the agent's group " + mine);
    }

    @Test
    void aProgramThatIsNotInstalledIsNamed() {
        ScriptRunner.Outcome o = ScriptRunner.run(new ProcessGate(new HookRunner.Permissions(false,
                false, List.of())).restic(List.of("fleethook-no-such-program", "backup"), null, null).launch(), Map.of(),
                null, null);
        assertEquals(null, o.exitCode());
        assertTrue(o.error().startsWith("fleethook-no-such-program is not installed here (not found on PATH "), o.error());
    }
}
