package dev.fleethook.web;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import io.quarkus.arc.Arc;
import io.quarkus.qute.RawString;
import io.quarkus.qute.TemplateExtension;

/**
 * How pages show times, durations, sizes and statuses — one rule for every template instead of cutting
 * {@code Instant.toString()} in each: times in the organization's zone ({@link OrgZone}), labeled with it,
 * as a relative time ("3 min ago") with the exact time on hover; durations as {@code 2 min 5 s}; sizes in
 * IEC units ({@code 586 KiB}); job statuses as coloured badges with their names.
 * <p>
 * In templates: {@code {job.startedAt.time}}, {@code {job.startedAt.exact}}, {@code {step.durationMs.duration}},
 * {@code {bytes.size}}, {@code {job.status.jobBadge}}, {@code {fmt:zone}}.
 */
@TemplateExtension
public final class Formats {

    private static final DateTimeFormatter EXACT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    private Formats() {
    }

    /**
     * A {@code <time>} element: the relative time as text ("3 min ago", "in 5 min"), the exact time with
     * the zone as its tooltip and the instant (ISO-8601, UTC) as its {@code datetime}.
     */
    static RawString time(Instant at) {
        return new RawString("<time datetime=\"" + at + "\" title=\"" + exact(at) + "\">" + relative(at, Instant.now())
                + "</time>");
    }

    /** The exact time in the organization's zone with the zone's short name: {@code 2026-11-29 16:42:56 CET}. */
    static String exact(Instant at) {
        ZoneId zone = zoneId();
        return EXACT.format(at.atZone(zone)) + " " + zone.getDisplayName(java.time.format.TextStyle.SHORT, Locale.ENGLISH);
    }

    /** "just now", "42 s ago", "3 min ago", "2 h ago", "5 days ago", and "in …" for a time ahead. */
    static String relative(Instant at, Instant now) {
        long s = Duration.between(at, now).getSeconds();
        boolean future = s < 0;
        long a = Math.abs(s);
        String amount;
        if (a < 5) {
            return "just now";
        } else if (a < 60) {
            amount = a + " s";
        } else if (a < 3600) {
            amount = a / 60 + " min";
        } else if (a < 86_400) {
            amount = a / 3600 + " h";
        } else {
            long days = a / 86_400;
            amount = days + (days == 1 ? " day" : " days");
        }
        return future ? "in " + amount : amount + " ago";
    }

    /** A duration in milliseconds as a person reads it: {@code 850 ms}, {@code 12.4 s}, {@code 2 min 5 s}, {@code 1 h 3 min}. */
    static String duration(Long ms) {
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            long tenths = Math.round(ms / 100.0);
            return tenths % 10 == 0 ? tenths / 10 + " s" : tenths / 10 + "." + tenths % 10 + " s";
        }
        long s = ms / 1000;
        if (s < 3600) {
            return s / 60 + " min" + (s % 60 == 0 ? "" : " " + s % 60 + " s");
        }
        return s / 3600 + " h" + (s % 3600 / 60 == 0 ? "" : " " + s % 3600 / 60 + " min");
    }

    /** The time from {@code from} to now, as {@link #duration}: the elapsed time of a running step. */
    static String elapsed(Instant from) {
        return duration(Math.max(0, Duration.between(from, Instant.now()).toMillis()));
    }

    /** A size in bytes in IEC units: {@code 512 B}, {@code 586 KiB}, {@code 1.4 GiB}. */
    static String size(Number bytes) {
        double b = bytes.doubleValue();
        String[] units = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
        int u = 0;
        while (b >= 1024 && u < units.length - 1) {
            b /= 1024;
            u++;
        }
        return u == 0 ? (long) b + " B" : (b < 10 ? String.format(Locale.ROOT, "%.1f", b) : Long.toString(Math.round(b)))
                + " " + units[u];
    }

    /**
     * A job status (its wire name) as a coloured badge with its name and, for the states that need it, a
     * tooltip saying what it means.
     */
    static RawString jobBadge(String status) {
        String css = switch (status) {
            case "succeeded" -> "text-bg-success";
            case "failed" -> "text-bg-danger";
            case "running" -> "text-bg-primary";
            case "warning", "partial" -> "text-bg-warning";
            case "abandoned" -> "text-bg-dark";
            case "canceled" -> "text-bg-secondary";
            default -> "text-bg-light border";
        };
        String title = switch (status) {
            case "warning" -> " title=\"The backup succeeded, but a script or hook failed\"";
            case "abandoned" -> " title=\"The agent stopped reporting this job\"";
            case "partial" -> " title=\"The backup was taken with errors\"";
            case "skipped" -> " title=\"The job could not start inside its backup window\"";
            default -> "";
        };
        return new RawString("<span class=\"badge " + css + "\" data-status=\"" + escape(status) + "\"" + title + ">"
                + escape(status) + "</span>");
    }

    /** The organization's zone as pages label their times: {@code Europe/Paris}. */
    @TemplateExtension(namespace = "fmt")
    static String zone() {
        return zoneId().getId();
    }

    private static ZoneId zoneId() {
        var context = Arc.container().requestContext();
        return context.isActive() ? Arc.container().instance(OrgZone.class).get().zone() : ZoneId.of("UTC");
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
