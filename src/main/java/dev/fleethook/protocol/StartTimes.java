package dev.fleethook.protocol;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The start times of a schedule, one rule for the portal (next runs shown on a policy, the missed-window
 * detector) and the agent (its local schedule): starts are taken in the schedule's time zone (UTC when it
 * names none), each strictly after the one before, so a daylight-saving change moves them exactly as it moves
 * them on both sides.
 * <p>
 * What a cron expression means is not decided here: the protocol depends on nothing but the JDK and Jackson
 * annotations, so each side parses the 5-field Unix cron with cron-utils and hands the result in as a
 * {@link NextStart} ({@code ExecutionTime::nextExecution} fits it as it is).
 */
public final class StartTimes {

    /** The zone of a schedule that names none. */
    public static final ZoneId DEFAULT_ZONE = ZoneId.of("UTC");

    /** A parsed schedule: the first start strictly after a time. */
    @FunctionalInterface
    public interface NextStart {

        /** The first start strictly after {@code time}, in {@code time}'s zone; empty when the schedule has no more. */
        Optional<ZonedDateTime> after(ZonedDateTime time);
    }

    private StartTimes() {
    }

    /**
     * The zone of a schedule: {@code timeZone} (an IANA name such as {@code Europe/Paris}), or {@link #DEFAULT_ZONE}
     * when it is null.
     *
     * @throws java.time.DateTimeException when {@code timeZone} names no zone
     */
    public static ZoneId zone(String timeZone) {
        return timeZone == null ? DEFAULT_ZONE : ZoneId.of(timeZone);
    }

    /**
     * The next {@code count} starts strictly after {@code from}, in {@code zone}, earliest first; fewer when the
     * schedule ends.
     */
    public static List<ZonedDateTime> next(NextStart schedule, ZoneId zone, ZonedDateTime from, int count) {
        List<ZonedDateTime> runs = new ArrayList<>();
        ZonedDateTime cursor = from.withZoneSameInstant(zone);
        for (int i = 0; i < count; i++) {
            Optional<ZonedDateTime> next = schedule.after(cursor);
            if (next.isEmpty()) {
                break;
            }
            runs.add(next.get());
            cursor = next.get();
        }
        return runs;
    }

    /** The first start strictly after {@code after}, in {@code zone}; empty when there is none. */
    public static Optional<Instant> first(NextStart schedule, ZoneId zone, Instant after) {
        return next(schedule, zone, after.atZone(zone), 1).stream().findFirst().map(ZonedDateTime::toInstant);
    }
}
