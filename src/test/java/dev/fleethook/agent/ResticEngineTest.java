package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.protocol.BackupEngine;
import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.PolicyDocument;

/**
 * The restic engine against the real restic binary and a real local repository. Skipped only when
 * restic is not installed and {@code FLEETHOOK_REQUIRE_RESTIC} is unset; CI installs Debian's restic and
 * sets it, so there it always runs.
 */
class ResticEngineTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void resticInstalled() {
        boolean present = List.of(System.getenv("PATH").split(":")).stream()
                .anyMatch(p -> Files.isExecutable(Path.of(p, "restic")));
        if (System.getenv("FLEETHOOK_REQUIRE_RESTIC") == null) {
            Assumptions.assumeTrue(present, "restic is not installed");
        }
    }

    Path secrets() throws IOException {
        Path s = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(s.resolve("restic-main"), "correct horse battery staple\n");
        return s;
    }

    String restic(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("restic"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("RESTIC_REPOSITORY", dir.resolve("repo").toString());
        pb.environment().put("RESTIC_PASSWORD_FILE", dir.resolve("secrets/restic-main").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    PolicyDocument.Backup backup(List<String> extraArgs) {
        return new PolicyDocument.Backup(BackupEngine.RESTIC, List.of(dir.resolve("data").toString()), List.of("*.tmp"),
                null, new PolicyDocument.Restic(dir.resolve("repo").toString(), "restic-main", extraArgs), null);
    }

    @Test
    void resticBacksUpTheSourcesAndTheSummaryIsReported() throws Exception {
        Path secrets = secrets();
        restic("init");
        Files.createDirectories(dir.resolve("data/sub"));
        Files.writeString(dir.resolve("data/a.txt"), "alpha");
        Files.writeString(dir.resolve("data/sub/b.txt"), "beta");
        Files.writeString(dir.resolve("data/skip.tmp"), "temporary");
        var permissions = new HookRunner.Permissions(false, false, List.of());

        var result = Engines.forPolicy(backup(List.of()), List.of(dir.resolve("data").toString()), permissions, secrets,
                Map.of()).backup(() -> false, null);

        assertEquals(BackupStatus.SUCCEEDED, result.status(), result.outputTail());
        assertEquals(0, result.exitCode());
        assertEquals(2, ((Number) result.stats().get("files_new")).intValue(), result.stats().toString());
        String snapshot = (String) result.stats().get("snapshot_id");
        assertTrue(snapshot != null && snapshot.length() >= 8, result.stats().toString());
        assertTrue(!result.outputTail().contains("\"message_type\":\"status\""), "progress lines left out");
        String snapshots = restic("snapshots", "--json");
        assertTrue(snapshots.contains(snapshot), snapshots);
        String files = restic("ls", "latest");
        assertTrue(files.contains("b.txt") && !files.contains("skip.tmp"), files);
    }

    @Test
    void aWrongPasswordOrAMissingSecretFailsClearly() throws Exception {
        Path secrets = secrets();
        restic("init");
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(secrets.resolve("restic-main"), "wrong");
        var permissions = new HookRunner.Permissions(false, false, List.of());
        var wrong = Engines.forPolicy(backup(List.of()), List.of(dir.resolve("data").toString()), permissions, secrets,
                Map.of()).backup(() -> false, null);
        assertEquals(BackupStatus.FAILED, wrong.status());
        assertTrue(wrong.outputTail().toLowerCase().contains("password"), wrong.outputTail());

        Files.delete(secrets.resolve("restic-main"));
        var missing = Engines.forPolicy(backup(List.of()), List.of(dir.resolve("data").toString()), permissions, secrets,
                Map.of()).backup(() -> false, null);
        assertEquals(BackupStatus.FAILED, missing.status());
        assertTrue(missing.outputTail().contains("password file"), missing.outputTail());
    }

    @Test
    void extraArgumentsNeedTheLocalOptInBecauseTheyCanRunCommands() throws Exception {
        Path secrets = secrets();
        Path marker = dir.resolve("pwned");
        var backup = backup(List.of("--password-command", "touch " + marker));
        var result = Engines.forPolicy(backup, List.of(dir.resolve("data").toString()),
                new HookRunner.Permissions(false, false, List.of()), secrets, new HashMap<>()).backup(() -> false, null);
        assertEquals(BackupStatus.FAILED, result.status());
        assertTrue(result.outputTail().startsWith("refused:"), result.outputTail());
        assertTrue(!Files.exists(marker));
    }

    @Test
    void cancelStopsResticAndNothingHalfWrittenCountsAsASnapshot() throws Exception {
        Path secrets = secrets();
        restic("init");
        Path data = Files.createDirectories(dir.resolve("data"));
        byte[] block = new byte[1 << 20];
        new java.util.Random(7).nextBytes(block);
        for (int i = 0; i < 300; i++) {
            Files.write(data.resolve("f" + i + ".bin"), block);
            block[0]++;
        }
        AtomicBoolean cancel = new AtomicBoolean();
        // Cancel once restic holds its repository lock, that is once the backup is under way.
        Path locks = dir.resolve("repo").resolve("locks");
        new Thread(() -> {
            org.awaitility.Awaitility.await("restic's lock").atMost(java.time.Duration.ofSeconds(60))
                    .pollInterval(java.time.Duration.ofMillis(20)).until(() -> {
                        try (var l = Files.list(locks)) {
                            return l.findAny().isPresent();
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    });
            cancel.set(true);
        }).start();
        var result = Engines.forPolicy(backup(List.of()), List.of(data.toString()),
                new HookRunner.Permissions(false, false, List.of()), secrets, Map.of()).backup(cancel::get, null);
        assertEquals(BackupStatus.CANCELED, result.status(), result.outputTail());
        assertEquals("[]", restic("snapshots", "--json").trim());
    }

    @Test
    void resticBacksUpOnlyWhatAFileFilterKeptThroughAFilesList() throws Exception {
        Path secrets = secrets();
        restic("init");
        Files.createDirectories(dir.resolve("data/sub"));
        Files.writeString(dir.resolve("data/a.txt"), "alpha");
        Files.writeString(dir.resolve("data/sub/dropped.txt"), "the filter said no");
        Files.createDirectories(dir.resolve("whole"));
        Files.writeString(dir.resolve("whole/kept.bin"), "its optional filter failed: kept whole");
        var kept = new FileFilter.Kept(java.util.Set.of(dir.resolve("data/a.txt").toString()),
                List.of(dir.resolve("whole").toString()));
        Path list = dir.resolve("files.list");

        var result = Engines.forPolicy(backup(List.of()), List.of(dir.resolve("data").toString(),
                dir.resolve("whole").toString()), new ProcessGate(new HookRunner.Permissions(false, false, List.of())), secrets, Map.of(),
                kept, list).backup(() -> false, null);

        assertEquals(BackupStatus.SUCCEEDED, result.status(), result.outputTail());
        String files = restic("ls", "latest");
        assertTrue(files.contains("a.txt") && files.contains("kept.bin") && !files.contains("dropped.txt"), files);
    }
}
