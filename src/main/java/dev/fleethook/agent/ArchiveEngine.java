package dev.fleethook.agent;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.PolicyDocument;

/**
 * The built-in engine: a tar.gz (commons-compress, POSIX long names and big files) of the sources in the
 * policy's destination folder, keeping the newest {@code retention} archives. Written to a hidden
 * {@code .partial} name and renamed when complete, so an interrupted backup never leaves a truncated archive
 * that looks whole. What cannot be read is listed and the rest archived: PartiallySuccessful, with the paths
 * named. Cancel and the backup window stop it between files.
 */
final class ArchiveEngine implements AttemptRunner.Engine {

    private final PolicyDocument.Archive archive;
    private final List<String> roots;
    private final List<String> excludes;
    private final FileFilter.Kept kept;

    /**
     * @param roots    the folders or files to archive (the sources, or the folder a before-hook redirected to)
     * @param excludes glob patterns, matched against a file's name and its path relative to its source
     * @param kept     the files a file-filter hook kept; null: every file
     */
    ArchiveEngine(PolicyDocument.Archive archive, List<String> roots, List<String> excludes, FileFilter.Kept kept) {
        this.archive = archive;
        this.roots = roots;
        this.excludes = excludes;
        this.kept = kept;
    }

    @Override
    public Result backup(BooleanSupplier cancel, Instant deadline) {
        long start = System.currentTimeMillis();
        Path destination = Path.of(archive.destination());
        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC).format(Instant.now());
        Path target = destination.resolve("fleethook-" + stamp + ".tar.gz");
        Path partial = destination.resolve(".fleethook-" + stamp + ".tar.gz.partial");
        List<PathMatcher> skip = excludes.stream().map(e -> FileSystems.getDefault().getPathMatcher("glob:" + e))
                .toList();
        List<String> problems = new ArrayList<>();
        ArchiveWalk walk = new ArchiveWalk(skip, problems, cancel, deadline);
        walk.kept = kept;
        try {
            write(destination, partial, walk, problems);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            prune(destination, archive.retention());
        } catch (CanceledException e) {
            deleteQuietly(partial);
            return new Result(BackupStatus.CANCELED, null, System.currentTimeMillis() - start,
                    "canceled after " + walk.files + " files");
        } catch (WindowException e) {
            deleteQuietly(partial);
            return new Result(BackupStatus.WINDOW_EXPIRED, null,
                    System.currentTimeMillis() - start, "backup window expired after " + walk.files + " files");
        } catch (IOException | RuntimeException e) {
            deleteQuietly(partial);
            return new Result(BackupStatus.FAILED, null, System.currentTimeMillis() - start,
                    "archive failed: " + Failures.describe(e));
        }
        return archived(walk, problems, destination, target, System.currentTimeMillis() - start);
    }

    /** Removes what a crash left behind, then writes every root through {@code walk} into {@code partial}. */
    private void write(Path destination, Path partial, ArchiveWalk walk, List<String> problems) throws IOException {
        Files.createDirectories(destination);
        walk.destination = destination;
        // An agent runs one job at a time: a partial file here is what a crash left behind.
        try (Stream<Path> stale = Files.list(destination)) {
            for (Path p : stale.filter(f -> f.getFileName().toString().matches("\\.fleethook-.*\\.tar\\.gz\\.partial"))
                    .toList()) {
                Files.deleteIfExists(p);
            }
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial));
                GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            walk.tar = tar;
            for (String root : roots) {
                Path r = Path.of(root);
                if (!Files.exists(r)) {
                    problems.add(root + " does not exist");
                    continue;
                }
                walk.root(r);
            }
        }
    }

    /** The result of a finished walk: Successful, PartiallySuccessful when something was left out, Failed when nothing was archived. */
    private static Result archived(ArchiveWalk walk, List<String> problems, Path destination, Path target, long durationMs) {
        long files = walk.files;
        long bytes = walk.bytes;
        String summary = "archived " + files + " files, " + bytes + " bytes into " + target
                + (walk.destinationLeftOut ? "; the archive folder " + destination + " lies inside the sources and"
                        + " was left out" : "")
                + (problems.isEmpty() ? "" : "; problems: " + String.join("; ", problems));
        BackupStatus status = problems.isEmpty() ? BackupStatus.SUCCEEDED
                : files > 0 ? BackupStatus.PARTIAL : BackupStatus.FAILED;
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("files", files);
        stats.put("bytes", bytes);
        stats.put("archive", target.toString());
        return new Result(status, 0, durationMs, summary, stats);
    }

    /** Deletes all but the newest {@code keep} archives of {@code destination} (by their time-stamped names). */
    static void prune(Path destination, int keep) throws IOException {
        List<Path> archives;
        try (Stream<Path> files = Files.list(destination)) {
            archives = files.filter(p -> p.getFileName().toString().matches("fleethook-\\d{8}-\\d{6}-\\d{3}\\.tar\\.gz"))
                    .sorted().toList();
        }
        for (int i = 0; i < archives.size() - keep; i++) {
            Files.deleteIfExists(archives.get(i));
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a .partial file is never mistaken for an archive
        }
    }

    private static final class CanceledException extends RuntimeException {
    }

    /**
     * Walks one source into the tar stream. Whatever cannot be read is listed in {@code problems} by path
     * and the walk goes on (a folder it may not open, a file it may not read, a name that is not valid
     * UTF-8, a file that shrank while read), so the backup is PartiallySuccessful with those paths named,
     * never an exception that loses the step, and never an entry whose content does not match its header.
     * Symbolic links are followed to regular files (as before); other special files are left out.
     */
    private static final class ArchiveWalk extends java.nio.file.SimpleFileVisitor<Path> {
        TarArchiveOutputStream tar;
        FileFilter.Kept kept;
        private final List<PathMatcher> skip;
        private final List<String> problems;
        private final java.util.function.BooleanSupplier cancel;
        private final Instant deadline;
        private Path root;
        private String name;
        /** Never archived into itself: with the archive folder inside a source, each archive held all before it. */
        Path destination;
        boolean destinationLeftOut;
        long files;
        long bytes;

        ArchiveWalk(List<PathMatcher> skip, List<String> problems, java.util.function.BooleanSupplier cancel,
                Instant deadline) {
            this.skip = skip;
            this.problems = problems;
            this.cancel = cancel;
            this.deadline = deadline;
        }

        /**
         * Archives one source under its own name. A source that is a symbolic link to a folder
         * ({@code /srv/share -> /mnt/disk1/share}) is that folder: the walk follows no links, so it would
         * otherwise archive nothing and call that a success. A source that is neither a file nor a folder
         * (a FIFO, a device, a socket) is listed as not backed up.
         */
        void root(Path source) throws IOException {
            Path r = Files.isSymbolicLink(source) && Files.isDirectory(source) ? source.toRealPath() : source;
            if (!Files.isDirectory(r) && !Files.isRegularFile(r)) {
                problems.add(source + ": not backed up, it is not a regular file or a folder");
                return;
            }
            this.root = r;
            this.name = source.getFileName() == null ? "root" : source.getFileName().toString();
            Files.walkFileTree(r, this);
        }

        private String entryName(Path p) {
            Path relative = root.relativize(p);
            return name + (relative.toString().isEmpty() ? "" : "/" + relative);
        }

        /** False (and the path listed) when it must be left out; checks Cancel and the window first. */
        private boolean include(Path p) {
            if (cancel.getAsBoolean()) {
                throw new CanceledException();
            }
            if (deadline != null && Instant.now().isAfter(deadline)) {
                throw new WindowException();
            }
            Path relative = root.relativize(p);
            if (skip.stream().anyMatch(m -> (p.getFileName() != null && m.matches(p.getFileName())) || m.matches(relative))) {
                return false;
            }
            if (p.toString().indexOf('\uFFFD') >= 0) {
                // The OS gave bytes that are not UTF-8: Java cannot name this file exactly, so it is not backed up.
                problems.add(p + ": not backed up, its name is not valid UTF-8 (shown with \uFFFD)");
                return false;
            }
            return true;
        }

        @Override
        public java.nio.file.FileVisitResult preVisitDirectory(Path dir,
                java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
            if (!include(dir)) {
                return java.nio.file.FileVisitResult.SKIP_SUBTREE;
            }
            TarArchiveEntry entry;
            try {
                if (destination != null && Files.isSameFile(dir, destination)) {
                    destinationLeftOut = true;
                    return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                }
                entry = new TarArchiveEntry(dir, entryName(dir) + "/");
            } catch (IOException | RuntimeException gone) {
                // Deleted (or made unreadable) between the listing and now: that folder only, not the backup.
                problems.add(dir + ": not backed up, " + Failures.describe(gone));
                return java.nio.file.FileVisitResult.SKIP_SUBTREE;
            }
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
            return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes attrs)
                throws IOException {
            if (!include(file) || !Files.isRegularFile(file) || (kept != null && !kept.keeps(file))) {
                return java.nio.file.FileVisitResult.CONTINUE;
            }
            java.io.InputStream in;
            long size;
            TarArchiveEntry entry;
            try {
                entry = new TarArchiveEntry(file, entryName(file));
                size = Files.size(file);
                in = Files.newInputStream(file);
            } catch (IOException | RuntimeException unreadable) {
                problems.add(file + ": not backed up, " + Failures.describe(unreadable));
                return java.nio.file.FileVisitResult.CONTINUE;
            }
            try (in) {
                entry.setSize(size);
                tar.putArchiveEntry(entry);
                long written = 0;
                byte[] buffer = new byte[64 * 1024];
                String trouble = null;
                while (written < size) {
                    int n;
                    try {
                        n = in.read(buffer, 0, (int) Math.min(buffer.length, size - written));
                    } catch (IOException readError) {
                        trouble = Failures.describe(readError);
                        break;
                    }
                    if (n < 0) {
                        trouble = "it shrank while it was read";
                        break;
                    }
                    tar.write(buffer, 0, n);
                    written += n;
                }
                if (trouble != null) {
                    // Keep the archive readable: fill the entry to its announced size, and say so.
                    byte[] zeros = new byte[8192];
                    for (long left = size - written; left > 0; left -= Math.min(left, zeros.length)) {
                        tar.write(zeros, 0, (int) Math.min(left, zeros.length));
                    }
                    problems.add(file + ": incomplete in the archive (" + written + " of " + size + " bytes), "
                            + trouble);
                } else {
                    files++;
                }
                bytes += written;
                tar.closeArchiveEntry();
            }
            return java.nio.file.FileVisitResult.CONTINUE;
        }

        @Override
        public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
            problems.add(file + ": not backed up, " + Failures.describe(e));
            return java.nio.file.FileVisitResult.CONTINUE;
        }
    }

    private static final class WindowException extends RuntimeException {
    }
}
