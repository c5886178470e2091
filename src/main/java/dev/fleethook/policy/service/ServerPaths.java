package dev.fleethook.policy.service;

import java.util.regex.Pattern;

/** Absolute paths on the servers, as a policy may name them (Linux or Windows). */
final class ServerPaths {

    private static final Pattern WINDOWS_DRIVE = Pattern.compile("[A-Za-z]:\\\\.*");
    private static final Pattern WINDOWS_UNC = Pattern.compile("\\\\\\\\[^\\\\]+\\\\[^\\\\]+.*");

    private ServerPaths() {
    }

    static boolean isPosixAbsolute(String path) {
        return path.startsWith("/") && safe(path, "/");
    }

    static boolean isWindowsAbsolute(String path) {
        return (WINDOWS_DRIVE.matcher(path).matches() || WINDOWS_UNC.matcher(path).matches()) && safe(path, "\\\\");
    }

    static boolean isAbsolute(String path) {
        return isPosixAbsolute(path) || isWindowsAbsolute(path);
    }

    /** No parent segments, no control characters: a path names one place, plainly. */
    private static boolean safe(String path, String separator) {
        for (char c : path.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        for (String segment : path.split(separator)) {
            if (segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** {@code folder} joined with a file name, with the separator of the folder's OS. */
    static String join(String folder, String name, boolean windows) {
        String separator = windows ? "\\" : "/";
        return folder.endsWith(separator) ? folder + name : folder + separator + name;
    }
}
