package dev.fleethook.agent;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Kiwi's {@code on_file} as a file-filter hook: one program per source, started before the engine, is
 * fed the source's files in batches and answers which to keep. The wire format, on stdin and stdout: every
 * path is followed by a NUL byte; an empty path (a second NUL) ends a batch, and the program ends its
 * answer the same way, after the paths it keeps (a subset of the batch; anything else is ignored). Each
 * batch has the hook's timeout; a program that exits, closes its output or runs out of time has died and
 * is killed with its process group.
 */
public final class FileFilter implements AutoCloseable {

    /** Paths per batch: large enough to amortize the round trip, small enough to bound a batch's time. */
    public static final int BATCH = 1000;

    /** The filter died (exited, closed its output, or timed out on a batch); the message says which. */
    public static final class DiedException extends IOException {
        private final boolean timedOut;

        DiedException(String message, boolean timedOut) {
            super(message);
            this.timedOut = timedOut;
        }

        public boolean timedOut() {
            return timedOut;
        }
    }

    /** A source's files after the filter: the kept ones (absolute paths) and how many were offered. */
    public record Selection(Set<String> kept, long offered) {
        public long dropped() {
            return offered - kept.size();
        }
    }

    /**
     * What the engine backs up after the filters: the kept files, plus whole roots whose optional filter
     * failed (everything kept there). {@link #filesList} is the list restic gets with {@code --files-from-raw}.
     */
    public record Kept(Set<String> files, List<String> wholeRoots) {
        public boolean keeps(Path file) {
            String f = file.toString();
            return files.contains(f) || wholeRoots.stream().anyMatch(r -> file.startsWith(r));
        }

        public List<String> filesList() {
            List<String> all = new ArrayList<>(wholeRoots);
            all.addAll(files.stream().sorted().toList());
            return all;
        }
    }

    private static final byte[] END = new byte[0];
    private static final byte[] DEAD = new byte[0];

    private final ScriptRunner.Started started;
    private final OutputStream in;
    private final BlockingQueue<byte[]> answers = new ArrayBlockingQueue<>(4 * BATCH);
    private final Duration batchTimeout;
    private volatile boolean closedOutput;

    private FileFilter(ScriptRunner.Started started, Duration batchTimeout) {
        this.started = started;
        this.in = new BufferedOutputStream(started.process().getOutputStream(), 64 * 1024);
        this.batchTimeout = batchTimeout;
        Thread reader = new Thread(this::readAnswers, "file-filter-" + started.process().pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the filter program the gate allowed ({@code launch}) with {@code env}; throws with the reason when it cannot start. */
    public static FileFilter start(ProcessGate.Launch launch, Map<String, String> env, Duration batchTimeout)
            throws IOException {
        return new FileFilter(ScriptRunner.start(launch, env), batchTimeout);
    }

    /**
     * Every regular file under {@code root} (the engine's excludes left out, as the archive engine and
     * restic leave them out), offered in batches; returns what the filter kept.
     */
    public Selection filter(Path root, List<String> excludes) throws IOException {
        List<PathMatcher> skip = excludes.stream().map(e -> FileSystems.getDefault().getPathMatcher("glob:" + e)).toList();
        Set<String> kept = new HashSet<>();
        List<String> batch = new ArrayList<>(BATCH);
        long[] offered = {0};
        IOException[] failure = {null};
        if (!Files.exists(root)) {
            return new Selection(kept, 0);
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return skipped(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (!attrs.isRegularFile() || skipped(file)) {
                    return FileVisitResult.CONTINUE;
                }
                batch.add(file.toString());
                offered[0]++;
                if (batch.size() == BATCH) {
                    try {
                        kept.addAll(batch(batch));
                    } catch (IOException e) {
                        failure[0] = e;
                        return FileVisitResult.TERMINATE;
                    }
                    batch.clear();
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE; // the engine lists what it cannot read
            }

            private boolean skipped(Path p) {
                Path relative = root.relativize(p);
                return skip.stream().anyMatch(m -> (p.getFileName() != null && m.matches(p.getFileName()))
                        || m.matches(relative));
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        if (!batch.isEmpty()) {
            kept.addAll(batch(batch));
        }
        return new Selection(kept, offered[0]);
    }

    /** One batch: the paths out, NUL-separated and closed by an empty path; the kept ones back. */
    public List<String> batch(List<String> paths) throws IOException {
        long deadline = System.nanoTime() + batchTimeout.toNanos();
        Thread watchdog = new Thread(() -> {
            // A filter that stops reading would block the write below: the watchdog kills it on time.
            try {
                Thread.sleep(Math.max(1, batchTimeout.toMillis()));
                started.stop();
            } catch (InterruptedException done) {
                Thread.currentThread().interrupt();
            }
        }, "file-filter-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            try {
                for (String p : paths) {
                    in.write(p.getBytes(StandardCharsets.UTF_8));
                    in.write(0);
                }
                in.write(0);
                in.flush();
            } catch (IOException e) {
                throw died("stopped reading its input (" + Failures.describe(e) + ")", deadline);
            }
            Set<String> offered = new HashSet<>(paths);
            List<String> kept = new ArrayList<>();
            while (true) {
                long left = deadline - System.nanoTime();
                byte[] answer;
                try {
                    answer = left <= 0 ? null : answers.poll(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DiedException("interrupted", false);
                }
                if (answer == null) {
                    if (closedOutput && System.nanoTime() < deadline) {
                        throw died("closed its output", deadline);
                    }
                    started.stop();
                    throw new DiedException("did not answer a batch of " + paths.size() + " paths within "
                            + batchTimeout.toSeconds() + " s", true);
                }
                if (answer == DEAD) {
                    throw died("closed its output", deadline);
                }
                if (answer == END) {
                    return kept;
                }
                String path = new String(answer, StandardCharsets.UTF_8);
                if (offered.contains(path)) {
                    kept.add(path);
                }
            }
        } finally {
            watchdog.interrupt();
        }
    }

    private DiedException died(String what, long deadline) {
        boolean late = System.nanoTime() >= deadline;
        Integer exit = null;
        try {
            if (started.process().waitFor(200, TimeUnit.MILLISECONDS)) {
                exit = started.process().exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String err = started.errorTail().strip();
        return new DiedException(late ? "did not answer within " + batchTimeout.toSeconds() + " s"
                : "died: " + what + (exit != null ? ", exit " + exit : "") + (err.isEmpty() ? "" : ": " + last(err)),
                late);
    }

    private static String last(String text) {
        String[] lines = text.split("\\R");
        return lines[lines.length - 1];
    }

    /** Reads NUL-terminated answers; an empty one ends a batch. End of output wakes a waiting batch. */
    private void readAnswers() {
        try (InputStream out = new BufferedInputStream(started.process().getInputStream(), 64 * 1024)) {
            ByteArrayOutputStream record = new ByteArrayOutputStream();
            int b;
            while ((b = out.read()) >= 0) {
                if (b == 0) {
                    answers.put(record.size() == 0 ? END : record.toByteArray());
                    record.reset();
                } else {
                    record.write(b);
                }
            }
        } catch (IOException | InterruptedException ignored) {
            // killed or closed: the waiting batch sees closedOutput
        } finally {
            closedOutput = true;
            answers.offer(DEAD);
        }
    }

    /** Closes the filter's input (end of files) and stops it with its process group. */
    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // it is stopped below anyway
        }
        try {
            started.process().waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        started.stop();
    }
}
