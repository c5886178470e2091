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
        return (cancel, deadline) -> {
            long start = System.currentTimeMillis();
            List<String> roots = redirect != null ? List.of(redirect) : sources;
            Path destination = Path.of(archive.destination());
            String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC).format(Instant.now());
            Path target = destination.resolve("fleethook-" + stamp + ".tar.gz");
            Path partial = destination.resolve(".fleethook-" + stamp + ".tar.gz.partial");
            List<PathMatcher> skip = excludes.stream().map(e -> FileSystems.getDefault().getPathMatcher("glob:" + e))
                    .toList();
            long files = 0;
            long bytes = 0;
            List<String> problems = new ArrayList<>();
            try {
                Files.createDirectories(destination);
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
                    for (String root : roots) {
                        Path r = Path.of(root);
                        if (!Files.exists(r)) {
                            problems.add(root + " does not exist");
                            continue;
                        }
                        try (Stream<Path> walk = Files.walk(r)) {
                            for (Path p : (Iterable<Path>) walk::iterator) {
                                if (cancel.getAsBoolean()) {
                                    throw new CanceledException();
                                }
                                if (deadline != null && Instant.now().isAfter(deadline)) {
                                    throw new WindowException();
                                }
                                Path relative = r.relativize(p);
                                if (skip.stream().anyMatch(m -> m.matches(p.getFileName()) || m.matches(relative))) {
                                    continue;
                                }
                                if (!Files.isRegularFile(p) && !Files.isDirectory(p)) {
                                    continue;
                                }
                                String name = (r.getFileName() == null ? "root" : r.getFileName().toString())
                                        + (relative.toString().isEmpty() ? "" : "/" + relative);
                                TarArchiveEntry entry = new TarArchiveEntry(p.toFile(), name);
                                tar.putArchiveEntry(entry);
                                if (Files.isRegularFile(p)) {
                                    try {
                                        bytes += Files.copy(p, tar);
                                        files++;
                                    } catch (IOException unreadable) {
                                        problems.add(p + ": " + unreadable.getMessage());
                                    }
                                }
                                tar.closeArchiveEntry();
                            }
                        }
                    }
                }
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                prune(destination, archive.retention());
            } catch (CanceledException e) {
                deleteQuietly(partial);
                return new AttemptRunner.Engine.Result(BackupStatus.CANCELED, null, System.currentTimeMillis() - start,
                        "canceled after " + files + " files");
            } catch (WindowException e) {
                deleteQuietly(partial);
                return new AttemptRunner.Engine.Result(BackupStatus.WINDOW_EXPIRED, null,
                        System.currentTimeMillis() - start, "backup window expired after " + files + " files");
            } catch (IOException e) {
                deleteQuietly(partial);
                return new AttemptRunner.Engine.Result(BackupStatus.FAILED, null, System.currentTimeMillis() - start,
                        "archive failed: " + e.getMessage());
            }
            String summary = "archived " + files + " files, " + bytes + " bytes into " + target
                    + (problems.isEmpty() ? "" : "; problems: " + String.join("; ", problems));
            BackupStatus status = problems.isEmpty() ? BackupStatus.SUCCESSFUL
                    : files > 0 ? BackupStatus.PARTIALLY_SUCCESSFUL : BackupStatus.FAILED;
            Map<String, Object> stats = new LinkedHashMap<>();
            stats.put("files", files);
            stats.put("bytes", bytes);
            stats.put("archive", target.toString());
            return new AttemptRunner.Engine.Result(status, 0, System.currentTimeMillis() - start, summary, stats);
        };
    }

    /** Any program, as an argument vector; exit 0 is success. Cancel and the window stop it with its children. */
    public static AttemptRunner.Engine command(List<String> argv, Map<String, String> env) {
        return (cancel, deadline) -> {
            ScriptRunner.Outcome o = ScriptRunner.run(argv, env, null, null, deadline, cancel);
            BackupStatus status = o.windowExpired() ? BackupStatus.WINDOW_EXPIRED
                    : cancel.getAsBoolean() && !o.succeeded() ? BackupStatus.CANCELED
                    : o.succeeded() ? BackupStatus.SUCCESSFUL : BackupStatus.FAILED;
            return new AttemptRunner.Engine.Result(status, o.exitCode(), o.durationMs(),
                    o.error() != null ? o.error() : o.outputTail());
        };
    }

    /**
     * {@code restic backup --json}: the repository from the policy, the password from a file in the
     * agent's own secrets folder (the portal only names it). Exit 3 (some files unreadable, snapshot
     * made) is PartiallySuccessful. The summary line is parsed into the reported stats; the output tail
     * keeps restic's messages without its progress lines.
     */
    public static AttemptRunner.Engine restic(PolicyDocument.Restic restic, List<String> roots, List<String> excludes,
            Path passwordFile, Map<String, String> baseEnv) {
        List<String> argv = new ArrayList<>(List.of("restic", "backup", "--json"));
        for (String exclude : excludes) {
            argv.add("--exclude=" + exclude);
        }
        if (restic.extraArgs() != null) {
            argv.addAll(restic.extraArgs());
        }
        argv.add("--");
        argv.addAll(roots);
        Map<String, String> env = new HashMap<>(baseEnv);
        env.put("RESTIC_REPOSITORY", restic.repository());
        env.put("RESTIC_PASSWORD_FILE", passwordFile.toString());
        return (cancel, deadline) -> {
            if (!Files.isReadable(passwordFile)) {
                return new AttemptRunner.Engine.Result(BackupStatus.FAILED, null, 0,
                        "restic password file " + passwordFile + " is missing on this agent (secret \""
                                + restic.passwordSecret() + "\")");
            }
            ScriptRunner.Outcome o = ScriptRunner.run(argv, env, null, null, deadline, cancel);
            if (o.error() != null) {
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
                    : o.succeeded() ? BackupStatus.SUCCESSFUL
                    : o.exitCode() != null && o.exitCode() == 3 && summary != null ? BackupStatus.PARTIALLY_SUCCESSFUL
                    : BackupStatus.FAILED;
            if (summary != null) {
                summary.remove("message_type");
            }
            return new AttemptRunner.Engine.Result(status, o.exitCode(), o.durationMs(), messages.toString().strip(),
                    summary);
        };
    }

    /**
     * The engine a policy asks for, backing up {@code roots} (the sources, or where before-hooks
     * redirected them). A command engine, and restic's extra arguments (which can name commands, such as
     * {@code --password-command}), run only when this agent enabled scripts locally, like every hook.
     */
    public static AttemptRunner.Engine forPolicy(PolicyDocument.Backup backup, List<String> roots,
            HookRunner.Permissions permissions, Path secrets, Map<String, String> env) {
        List<String> excludes = backup.excludes() == null ? List.of() : backup.excludes();
        return switch (backup.engine()) {
            case ARCHIVE -> archive(backup.archive(), roots, excludes, null);
            case RESTIC -> {
                PolicyDocument.Restic r = backup.restic();
                if (r.extraArgs() != null && !r.extraArgs().isEmpty() && !permissions.hooksEnabled()) {
                    yield refused("restic extra arguments need scripts enabled on this agent (local config)");
                }
                if (r.passwordSecret() == null || !r.passwordSecret().matches("[A-Za-z0-9._-]{1,100}")
                        || r.passwordSecret().startsWith(".")) {
                    yield refused("the restic password secret must be a plain file name in " + secrets);
                }
                yield restic(r, roots, excludes, secrets.resolve(r.passwordSecret()), env);
            }
            case COMMAND -> {
                List<String> argv = backup.command();
                if (!permissions.hooksEnabled()) {
                    yield refused("the command engine needs scripts enabled on this agent (local config)");
                }
                if (argv == null || argv.isEmpty() || !Path.of(argv.get(0)).isAbsolute()
                        || !permissions.allows(Path.of(argv.get(0)))) {
                    yield refused((argv == null || argv.isEmpty() ? "no command" : argv.get(0))
                            + " is outside the agent's allowed roots");
                }
                yield command(argv, env);
            }
        };
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

    private static final class WindowException extends RuntimeException {
    }

}
