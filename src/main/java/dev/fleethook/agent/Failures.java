package dev.fleethook.agent;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Turns an exception into the reason a person reads in the portal ("permission denied: /srv/data/secret"),
 * instead of a class name and a stack trace. Used wherever a step catches what went wrong inside it: the
 * rule "every step ends in a status" (README, "What the agent does") needs a reason with every Failed.
 */
public final class Failures {

    private Failures() {
    }

    /** One line: what failed and on which path when the exception names one; never null. */
    public static String describe(Throwable e) {
        Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof AccessDeniedException a) {
            return "permission denied: " + a.getFile() + (a.getReason() == null ? "" : " (" + a.getReason() + ")");
        }
        if (t instanceof NoSuchFileException n) {
            return "no such file or folder: " + n.getFile();
        }
        if (t instanceof NotDirectoryException n) {
            return "not a folder: " + n.getFile();
        }
        if (t instanceof FileSystemException f) {
            return (f.getReason() == null ? "file system error" : f.getReason()) + ": " + f.getFile()
                    + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile());
        }
        if (t instanceof InvalidPathException i) {
            return "a path this agent cannot encode (" + i.getReason() + "): check the agent's locale, e.g. "
                    + "LANG=C.UTF-8";
        }
        String message = t.getMessage();
        String type = t.getClass().getSimpleName();
        return message == null || message.isBlank() ? type : message + " (" + type + ")";
    }

    /** Short, for log lines: the exception's message, or its type when it has none (a refused connection has none). */
    public static String why(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
