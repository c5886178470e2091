package dev.fleethook.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

/**
 * The start-time rule portal and agent share, fed with cron-utils as both sides feed it. Paris changes to
 * summer time on 29 March 2026 (02:00 becomes 03:00) and back on 25 October 2026 (03:00 becomes 02:00).
 */
class StartTimesTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    static StartTimes.NextStart cron(String expression) {
        return ExecutionTime.forCron(UNIX.parse(expression))::nextExecution;
    }

    private static List<String> next(String cron, String from, int count) {
        return StartTimes.next(cron(cron), PARIS, ZonedDateTime.parse(from), count).stream()
                .map(ZonedDateTime::toOffsetDateTime).map(Object::toString).toList();
    }

    @Test
    void dailyStartsFollowTheWallClockAcrossSummerTime() {
        // Before the change 02:30 is +01:00, after it +02:00; the night with no 02:30 has no start.
        assertEquals(List.of("2026-03-28T02:30+01:00", "2026-03-30T02:30+02:00", "2026-03-31T02:30+02:00"),
                next("30 2 * * *", "2026-03-27T12:00+01:00[Europe/Paris]", 3));
    }

    @Test
    void aDailyStartInTheRepeatedHourRunsOnce() {
        assertEquals(List.of("2026-10-25T02:30+02:00", "2026-10-26T02:30+01:00"),
                next("30 2 * * *", "2026-10-24T12:00+02:00[Europe/Paris]", 2));
    }

    @Test
    void anIntervalScheduleKeepsItsRhythmInRealTimeThroughBothChanges() {
        List<String> autumn = next("*/30 * * * *", "2026-10-25T01:40+02:00[Europe/Paris]", 6);
        assertEquals(List.of("2026-10-25T02:00+02:00", "2026-10-25T02:30+02:00", "2026-10-25T02:00+01:00",
                "2026-10-25T02:30+01:00", "2026-10-25T03:00+01:00", "2026-10-25T03:30+01:00"), autumn);
        List<String> spring = next("*/30 * * * *", "2026-03-29T01:10+01:00[Europe/Paris]", 3);
        assertEquals(List.of("2026-03-29T01:30+01:00", "2026-03-29T03:00+02:00", "2026-03-29T03:30+02:00"), spring);
        // 01:30 +01:00 to 03:00 +02:00 is 30 minutes of real time.
        assertEquals(Duration.ofMinutes(30), Duration.between(
                ZonedDateTime.parse("2026-03-29T01:30+01:00[Europe/Paris]"), ZonedDateTime.parse("2026-03-29T03:00+02:00[Europe/Paris]")));
    }

    @Test
    void theSameCronInAnotherZoneStartsAtThatZonesWallClock() {
        Instant after = Instant.parse("2026-06-01T00:00:00Z");
        assertEquals(Optional.of(Instant.parse("2026-06-01T22:00:00Z")),
                StartTimes.first(cron("0 22 * * *"), ZoneId.of("UTC"), after));
        assertEquals(Optional.of(Instant.parse("2026-06-01T16:30:00Z")),
                StartTimes.first(cron("0 22 * * *"), ZoneId.of("Asia/Kolkata"), after));
        assertEquals(Optional.of(Instant.parse("2026-06-01T20:00:00Z")),
                StartTimes.first(cron("0 22 * * *"), PARIS, after));
    }

    @Test
    void startsAreStrictlyAfterTheGivenTime() {
        Instant start = Instant.parse("2026-06-01T22:00:00Z");
        assertEquals(Optional.of(Instant.parse("2026-06-02T22:00:00Z")),
                StartTimes.first(cron("0 22 * * *"), ZoneId.of("UTC"), start));
    }

    @Test
    void aScheduleWithoutAZoneIsUtcAndAWrongZoneIsRefused() {
        assertEquals(ZoneId.of("UTC"), StartTimes.zone(null));
        assertEquals(PARIS, StartTimes.zone("Europe/Paris"));
        assertThrows(DateTimeException.class, () -> StartTimes.zone("Mars/Olympus"));
    }

    @Test
    void stopsWhenTheScheduleEndsAndReturnsAtMostCount() {
        ZonedDateTime from = ZonedDateTime.parse("2026-06-01T00:00Z[UTC]");
        ZonedDateTime only = from.plusHours(1);
        StartTimes.NextStart once = t -> t.isBefore(only) ? Optional.of(only) : Optional.empty();
        assertEquals(List.of(only), StartTimes.next(once, ZoneId.of("UTC"), from, 5));
        assertEquals(Optional.empty(), StartTimes.first(once, ZoneId.of("UTC"), only.toInstant()));
        assertEquals(4, StartTimes.next(cron("* * * * *"), PARIS, from, 4).size());
        assertTrue(StartTimes.next(cron("* * * * *"), PARIS, from, 0).isEmpty());
    }
}
