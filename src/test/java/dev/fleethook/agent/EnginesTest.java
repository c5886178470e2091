package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.PolicyDocument;

class EnginesTest {

    @TempDir
    Path dir;

    Path source() throws IOException {
        Path src = Files.createDirectories(dir.resolve("share"));
        Files.writeString(src.resolve("a.txt"), "alpha");
        Files.createDirectories(src.resolve("sub"));
        Files.writeString(src.resolve("sub/b.txt"), "beta");
        Files.writeString(src.resolve("sub/skip.tmp"), "temp");
        return src;
    }

    static List<String> entries(Path archive) throws IOException {
        List<String> names = new ArrayList<>();
        try (InputStream in = Files.newInputStream(archive); var gz = new GzipCompressorInputStream(in);
                var tar = new TarArchiveInputStream(gz)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (!e.isDirectory()) {
                    names.add(e.getName() + "=" + new String(tar.readAllBytes()));
                }
            }
        }
        return names;
    }

    List<Path> archives(Path dest) throws IOException {
        try (Stream<Path> s = Files.list(dest)) {
            return s.filter(p -> p.toString().endsWith(".tar.gz")).sorted().toList();
        }
    }

    @Test
    void theArchiveEngineWritesATarGzWithoutExcludedFilesAndKeepsTheNewest() throws Exception {
        Path src = source();
        Path dest = dir.resolve("backups");
        var engine = Engines.archive(new PolicyDocument.Archive(dest.toString(), 2), List.of(src.toString()),
                List.of("*.tmp"), null);
        for (int i = 0; i < 3; i++) {
            var r = engine.backup(() -> false, null);
            assertEquals(BackupStatus.SUCCEEDED, r.status(), r.outputTail());
            // Archive names carry the time to the millisecond: the next one needs a later millisecond.
            long written = System.currentTimeMillis();
            org.awaitility.Awaitility.await().pollInterval(java.time.Duration.ofMillis(1))
                    .until(() -> System.currentTimeMillis() > written);
        }
        List<Path> kept = archives(dest);
        assertEquals(2, kept.size(), "retention 2");
        assertEquals(List.of("share/a.txt=alpha", "share/sub/b.txt=beta"), entries(kept.get(1)).stream().sorted().toList());
    }

    @Test
    void aRedirectedSnapshotFolderIsArchivedInsteadOfTheSource() throws Exception {
        Path src = source();
        Path snap = Files.createDirectories(dir.resolve("mnt/123"));
        Files.writeString(snap.resolve("frozen.txt"), "point in time");
        Path dest = dir.resolve("backups");
        var r = Engines.archive(new PolicyDocument.Archive(dest.toString(), 5), List.of(src.toString()), List.of(),
                snap.toString()).backup(() -> false, null);
        assertEquals(BackupStatus.SUCCEEDED, r.status());
        assertEquals(List.of("123/frozen.txt=point in time"), entries(archives(dest).get(0)));
    }

    @Test
    void anArchiveFolderInsideTheSourceIsNeverArchivedIntoItself() throws Exception {
        // source /srv, archives in /srv/backups: each archive used to hold every archive before it and its own
        // growing .partial file (1 MB, 2 MB, 7 MB ... on three runs).
        Path src = source();
        Path dest = src.resolve("backups");
        var engine = Engines.archive(new PolicyDocument.Archive(dest.toString(), 5), List.of(src.toString()),
                List.of(), null);
        assertEquals(BackupStatus.SUCCEEDED, engine.backup(() -> false, null).status());
        long first = System.currentTimeMillis();
        // archive names carry the millisecond: the second run must start in a later one
        org.awaitility.Awaitility.await().pollInterval(java.time.Duration.ofMillis(1))
                .until(() -> System.currentTimeMillis() > first);
        var second = engine.backup(() -> false, null);
        assertEquals(BackupStatus.SUCCEEDED, second.status(), second.outputTail());
        assertTrue(second.outputTail().contains("the archive folder " + dest + " lies inside the sources and was left"
                + " out"), second.outputTail());
        assertEquals(List.of("share/a.txt=alpha", "share/sub/b.txt=beta", "share/sub/skip.tmp=temp"),
                entries(archives(dest).get(1)).stream().sorted().toList());
    }

    @Test
    void aFolderDeletedWhileTheArchiveWalksIsListedAndTheRestIsArchived() throws Exception {
        // A folder removed between the walk opening it and archiving it failed the whole backup: "archive failed:
        // no such file or folder". The engine asks Cancel once per path, right after the walk opened the folder:
        // that is where this test deletes it, as a concurrent rm -rf did in a manual run.
        Path share = Files.createDirectories(dir.resolve("share/tmp-build"));
        Files.writeString(share.resolve("object.o"), "bits");
        Path other = Files.createDirectories(dir.resolve("home"));
        Files.writeString(other.resolve("notes.txt"), "keep");
        Path dest = dir.resolve("backups");
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        var r = Engines.archive(new PolicyDocument.Archive(dest.toString(), 5),
                List.of(share.getParent().toString(), other.toString()), List.of(), null).backup(() -> {
                    if (asked.incrementAndGet() == 2) {
                        try {
                            Files.delete(share.resolve("object.o"));
                            Files.delete(share);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                    return false;
                }, null);
        assertEquals(BackupStatus.PARTIAL, r.status(), r.outputTail());
        assertTrue(r.outputTail().contains(share + ": not backed up, no such file or folder"), r.outputTail());
        assertEquals(List.of("home/notes.txt=keep"), entries(archives(dest).get(0)));
    }

    @Test
    void cancelAndWindowExpiryLeaveNoArchiveBehind() throws Exception {
        Path src = source();
        Path dest = dir.resolve("backups");
        var engine = Engines.archive(new PolicyDocument.Archive(dest.toString(), 5), List.of(src.toString()), List.of(), null);
        assertEquals(BackupStatus.CANCELED, engine.backup(() -> true, null).status());
        assertEquals(BackupStatus.WINDOW_EXPIRED, engine.backup(() -> false, Instant.now().minusSeconds(1)).status());
        try (Stream<Path> s = Files.list(dest)) {
            assertEquals(0, s.count(), "no archive and no partial file");
        }
    }

    @Test
    void aPartialArchiveLeftByACrashIsRemovedByTheNextRun() throws Exception {
        Path src = source();
        Path dest = Files.createDirectories(dir.resolve("backups"));
        Path stale = Files.writeString(dest.resolve(".fleethook-20261122-010000-000.tar.gz.partial"), "truncated");
        Path unrelated = Files.writeString(dest.resolve("notes.txt"), "keep me");
        var r = Engines.archive(new PolicyDocument.Archive(dest.toString(), 5), List.of(src.toString()), List.of(), null)
                .backup(() -> false, null);
        assertEquals(BackupStatus.SUCCEEDED, r.status());
        assertTrue(!Files.exists(stale), "the crash's partial archive is gone");
        assertTrue(Files.exists(unrelated), "nothing else is touched");
        assertEquals(1, archives(dest).size());
    }

    @Test
    void aMissingSourceMakesThePartialOrFailedStatus() throws Exception {
        Path src = source();
        Path dest = dir.resolve("backups");
        var partial = Engines.archive(new PolicyDocument.Archive(dest.toString(), 5),
                List.of(src.toString(), dir.resolve("gone").toString()), List.of(), null).backup(() -> false, null);
        assertEquals(BackupStatus.PARTIAL, partial.status());
        assertTrue(partial.outputTail().contains("does not exist"));
        var failed = Engines.archive(new PolicyDocument.Archive(dest.toString(), 5), List.of(dir.resolve("gone").toString()),
                List.of(), null).backup(() -> false, null);
        assertEquals(BackupStatus.FAILED, failed.status());
    }

    @Test
    void theCommandEngineReportsTheProgramsOutcome() {
        var gate = new ProcessGate(new HookRunner.Permissions(true, false, List.of(Path.of("/bin"))));
        var ok = Engines.command(gate.policyProgram(List.of("/bin/sh", "-c", "echo saved; exit 0"), 0, null).launch(),
                Map.of()).backup(() -> false, null);
        assertEquals(BackupStatus.SUCCEEDED, ok.status());
        assertEquals("saved", ok.outputTail().trim());
        var bad = Engines.command(gate.policyProgram(List.of("/bin/sh", "-c", "echo nope >&2; exit 4"), 0, null)
                .launch(), Map.of()).backup(() -> false, null);
        assertEquals(BackupStatus.FAILED, bad.status());
        assertEquals(4, bad.exitCode());
    }

    @Test
    void aFileNameThatIsNotUtf8IsReportedByNameNeverArchivedAsAnEmptyEntry() throws Exception {
        // Case 7 of issue 11: caf\xe9.txt (Latin-1) under a UTF-8 locale became a 0-byte entry and a failed step.
        Path src = source();
        Process p = new ProcessBuilder("sh", "-c", "printf 'latin-1 content' > \"$(printf 'caf\\351.txt')\"")
                .directory(src.toFile()).start();
        assertEquals(0, p.waitFor());
        Path dest = dir.resolve("backups");
        var r = Engines.archive(new PolicyDocument.Archive(dest.toString(), 2), List.of(src.toString()), List.of(), null)
                .backup(() -> false, null);

        assertEquals(BackupStatus.PARTIAL, r.status(), r.outputTail());
        assertTrue(r.outputTail().contains("caf\uFFFD.txt: not backed up, its name is not valid UTF-8"), r.outputTail());
        List<String> archived = entries(archives(dest).get(0));
        assertEquals(List.of("share/a.txt=alpha", "share/sub/b.txt=beta", "share/sub/skip.tmp=temp"),
                archived.stream().sorted().toList(), "no empty entry for it, and the rest is whole");
        assertEquals(3L, r.stats().get("files"));
    }
}
