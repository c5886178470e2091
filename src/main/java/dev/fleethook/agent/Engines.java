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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import dev.fleethook.protocol.BackupStatus;
import dev.fleethook.protocol.PolicyDocument;

/** The backup engines: the built-in tar.gz archive, and any command (an argument vector). */
public final class Engines {

    private Engines() {
    }

    /**
     * A tar.gz of the sources (or of the folder a before-hook redirected to) in {@code destination},
     * keeping the newest {@code retention} archives. Written to a temporary name and renamed when
     * complete, so an interrupted backup never leaves a truncated archive that looks whole.
     */
    public static AttemptRunner.Engine archive(PolicyDocument.Archive archive, List<String> sources, List<String> excludes,
            String redirect) {
        return archive(archive, sources, excludes, redirect, null);
    }

    /** As above, archiving only the files a file-filter hook kept ({@code kept} null: every file). */
    public static AttemptRunner.Engine archive(PolicyDocument.Archive archive, List<String> sources, List<String> excludes,
            String redirect, FileFilter.Kept kept) {
        return (cancel, deadline) -> {
            long start = System.currentTimeMillis();
            List<String> roots = redirect != null ? List.of(redirect) : sources;
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
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                prune(destination, archive.retention());
            } catch (CanceledException e) {
                deleteQuietly(partial);
                return new AttemptRunner.Engine.Result(BackupStatus.CANCELED, null, System.currentTimeMillis() - start,
                        "canceled after " + walk.files + " files");
            } catch (WindowException e) {
                deleteQuietly(partial);
                return new AttemptRunner.Engine.Result(BackupStatus.WINDOW_EXPIRED, null,
                        System.currentTimeMillis() - start, "backup window expired after " + walk.files + " files");
            } catch (IOException | RuntimeException e) {
                deleteQuietly(partial);
                return new AttemptRunner.Engine.Result(BackupStatus.FAILED, null, System.currentTimeMillis() - start,
                        "archive failed: " + Failures.describe(e));
            }
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
            return new AttemptRunner.Engine.Result(status, 0, System.currentTimeMillis() - start, summary, stats);
        };
    }

    /**
     * Any program, as an argument vector, as {@link ProcessGate} allowed it; exit 0 is success. Cancel and
     * the window stop it with its children.
     */
    public static AttemptRunner.Engine command(ProcessGate.Launch launch, Map<String, String> env) {
        return (cancel, deadline) -> {
            ScriptRunner.Outcome o = ScriptRunner.run(launch, env, null, deadline, cancel);
            BackupStatus status = o.windowExpired() ? BackupStatus.WINDOW_EXPIRED
                    : cancel.getAsBoolean() && !o.succeeded() ? BackupStatus.CANCELED
                    : o.succeeded() ? BackupStatus.SUCCEEDED : BackupStatus.FAILED;
            return new AttemptRunner.Engine.Result(status, o.exitCode(), o.durationMs(), o.error() == null
                    ? o.outputTail() : o.exitCode() == null ? o.error() : o.outputTail() + "\n(" + o.error() + ")");
        };
    }

    /**
     * {@code restic backup --json}: the repository from the policy, the password from a file in the
     * agent's own secrets folder (the portal only names it). Exit 3 (some files unreadable, snapshot
     * made) is PartiallySuccessful. The summary line is parsed into the reported stats; the output tail
     * keeps restic's messages without its progress lines. The extra arguments and the repository pass
     * {@link ProcessGate#restic} first: an option that would have restic start a program is refused
     * (Failed, "refused: …") unless this agent allows it locally.
     */
    public static AttemptRunner.Engine restic(PolicyDocument.Restic restic, List<String> roots, List<String> excludes,
            Path passwordFile, Map<String, String> baseEnv, ProcessGate gate) {
        return restic(restic, roots, excludes, passwordFile, baseEnv, gate, null);
    }

    /**
     * As above; with a file-filter's kept files in {@code filesList} (a NUL-separated list, restic's
     * {@code --files-from-raw}) instead of the roots when it is not null.
     */
    public static AttemptRunner.Engine restic(PolicyDocument.Restic restic, List<String> roots, List<String> excludes,
            Path passwordFile, Map<String, String> baseEnv, ProcessGate gate, Path filesList) {
        List<String> argv = new ArrayList<>(List.of("restic", "backup", "--json"));
        for (String exclude : excludes) {
            argv.add("--exclude=" + exclude);
        }
        if (restic.extraArgs() != null) {
            argv.addAll(restic.extraArgs());
        }
        if (filesList != null) {
            argv.add("--files-from-raw=" + filesList);
        } else {
            argv.add("--");
            argv.addAll(roots);
        }
        Map<String, String> env = new HashMap<>(baseEnv);
        env.put("RESTIC_REPOSITORY", restic.repository());
        env.put("RESTIC_PASSWORD_FILE", passwordFile.toString());
        ProcessGate.Decision decision = gate.restic(argv, restic.extraArgs(), restic.repository());
        if (!decision.allowed()) {
            return refused(decision.refusal());
        }
        return (cancel, deadline) -> {
            if (!Files.isReadable(passwordFile)) {
                return new AttemptRunner.Engine.Result(BackupStatus.FAILED, null, 0,
                        "restic password file " + passwordFile + " is missing on this agent (secret \""
                                + restic.passwordSecret() + "\")");
            }
            ScriptRunner.Outcome o = ScriptRunner.run(decision.launch(), env, null, deadline, cancel);
            if (o.exitCode() == null && o.error() != null) {
                return new AttemptRunner.Engine.Result(BackupStatus.FAILED, null, o.durationMs(), o.error());
            }
            Map<String, Object> summary = null;
            StringBuilder messages = new StringBuilder();
            for (String line : o.outputTail().split("\\R")) {
                Map<String, Object> message = jsonLine(line);
                if (message == null) {
                    messages.append(line).append('\n');
                } else if ("summary".equals(message.get("message_type"))) {
                    summary = message;
                    messages.append(line).append('\n');
                } else if (!"status".equals(message.get("message_type"))) {
                    messages.append(line).append('\n');
                }
            }
            BackupStatus status = o.windowExpired() ? BackupStatus.WINDOW_EXPIRED
                    : cancel.getAsBoolean() && !o.succeeded() ? BackupStatus.CANCELED
                    : o.succeeded() ? BackupStatus.SUCCEEDED
                    : o.exitCode() != null && o.exitCode() == 3 && summary != null ? BackupStatus.PARTIAL
                    : BackupStatus.FAILED;
            if (summary != null) {
                summary.remove("message_type");
            }
            return new AttemptRunner.Engine.Result(status, o.exitCode(), o.durationMs(), messages.toString().strip(),
                    summary);
        };
    }

    /** As {@link #forPolicy(PolicyDocument.Backup, List, ProcessGate, Path, Map)} with a gate of its own. */
    public static AttemptRunner.Engine forPolicy(PolicyDocument.Backup backup, List<String> roots,
            HookRunner.Permissions permissions, Path secrets, Map<String, String> env) {
        return forPolicy(backup, roots, new ProcessGate(permissions), secrets, env, null, null);
    }

    /** As {@link #forPolicy(PolicyDocument.Backup, List, ProcessGate, Path, Map, FileFilter.Kept, Path)} without a file filter. */
    public static AttemptRunner.Engine forPolicy(PolicyDocument.Backup backup, List<String> roots, ProcessGate gate,
            Path secrets, Map<String, String> env) {
        return forPolicy(backup, roots, gate, secrets, env, null, null);
    }

    /**
     * The engine a policy asks for, backing up {@code roots} (the sources, or where before-hooks
     * redirected them). Whatever it starts passes {@code gate}: a command engine runs only when this agent
     * enabled scripts locally and its program really lies under an allowed root; restic's extra
     * arguments and repository are checked for options that start programs. A refusal is an engine that
     * reports Failed with "refused: " and the reason, never running anything.
     * <p>
     * With a file-filter hook's {@code kept} files (null: everything) the archive engine skips the other
     * files and restic gets the kept files as a list written to {@code filesList}. The command engine
     * cannot be told, so a policy with a file filter and the command engine is refused by the portal.
     */
    public static AttemptRunner.Engine forPolicy(PolicyDocument.Backup backup, List<String> roots, ProcessGate gate,
            Path secrets, Map<String, String> env, FileFilter.Kept kept, Path filesList) {
        List<String> excludes = backup.excludes() == null ? List.of() : backup.excludes();
        return switch (backup.engine()) {
            case ARCHIVE -> archive(backup.archive(), roots, excludes, null, kept);
            case RESTIC -> {
                PolicyDocument.Restic r = backup.restic();
                if (r.extraArgs() != null && !r.extraArgs().isEmpty() && !gate.permissions().hooksEnabled()) {
                    yield refused("restic extra arguments need scripts enabled on this agent (local config)");
                }
                if (r.passwordSecret() == null || !r.passwordSecret().matches("[A-Za-z0-9._-]{1,100}")
                        || r.passwordSecret().startsWith(".")) {
                    yield refused("the restic password secret must be a plain file name in " + secrets);
                }
                if (kept != null) {
                    try {
                        writeFilesList(filesList, kept.filesList());
                    } catch (IOException | RuntimeException e) {
                        yield refused("cannot write the file filter's list " + filesList + ": " + Failures.describe(e));
                    }
                }
                yield restic(r, roots, excludes, secrets.resolve(r.passwordSecret()), env, gate, kept == null ? null : filesList);
            }
            case COMMAND -> {
                if (!gate.permissions().hooksEnabled()) {
                    yield refused("the command engine needs scripts enabled on this agent (local config)");
                }
                ProcessGate.Decision decision = gate.policyProgram(backup.command(), 0, null);
                yield decision.allowed() ? command(decision.launch(), env) : refused(decision.refusal());
            }
        };
    }

    /** restic's {@code --files-from-raw}: every path followed by a NUL byte, readable by the agent only. */
    static void writeFilesList(Path file, List<String> paths) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            for (String p : paths) {
                out.write(p.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.write(0);
            }
        }
    }

    private static AttemptRunner.Engine refused(String why) {
        return (cancel, deadline) -> new AttemptRunner.Engine.Result(BackupStatus.FAILED, null, 0, "refused: " + why);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonLine(String line) {
        String l = line.trim();
        if (!l.startsWith("{")) {
            return null;
        }
        try {
            return AgentState.JSON.readValue(l, LinkedHashMap.class);
        } catch (IOException e) {
            return null;
        }
    }

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
