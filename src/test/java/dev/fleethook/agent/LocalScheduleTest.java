package dev.fleethook.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.fleethook.policy.service.Schedules;
import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.ScheduleKind;

/**
 * The agent's schedule and the portal's next runs come from one rule: across both daylight-saving changes and
 * in several zones, the starts the agent would take are the ones the portal shows (and the missed-window
 * detector judges).
 */
class LocalScheduleTest {

    @ParameterizedTest(name = "{0} in {1} from {2}")
    @CsvSource({
            "30 2 * * *, Europe/Paris, 2026-03-27T12:00:00Z",
            "30 2 * * *, Europe/Paris, 2026-10-23T12:00:00Z",
            "*/30 * * * *, Europe/Paris, 2026-10-24T23:10:00Z",
            "*/30 * * * *, Europe/Paris, 2026-03-29T00:10:00Z",
            "0 1 * * SUN, America/New_York, 2026-03-01T00:00:00Z",
            "15 22 * * MON-FRI, Asia/Kolkata, 2026-06-01T00:00:00Z",
            "0 0 1 * *, Australia/Lord_Howe, 2026-03-15T00:00:00Z" })
    void theAgentTakesTheStartsThePortalShows(String cron, String zone, String from) {
        PolicyDocument.Schedule schedule = new PolicyDocument.Schedule(ScheduleKind.CRON, cron, zone, null);
        LocalSchedule local = LocalSchedule.of(schedule).orElseThrow();
        List<Instant> agent = new ArrayList<>();
        Instant cursor = Instant.parse(from);
        for (int i = 0; i < 8; i++) {
            cursor = local.next(cursor).orElseThrow();
            agent.add(cursor);
        }
        ZoneId z = ZoneId.of(zone);
        List<Instant> portal = Schedules.nextRuns(cron, z, Instant.parse(from).atZone(z), 8).stream()
                .map(ZonedDateTime::toInstant).toList();
        assertEquals(portal, agent);
    }

    @ParameterizedTest
    @CsvSource({ "0 22 * * *, 2026-06-01T21:00:00Z, 2026-06-01T22:00:00Z" })
    void aScheduleWithoutAZoneRunsInUtc(String cron, String from, String expected) {
        LocalSchedule local = LocalSchedule.of(new PolicyDocument.Schedule(ScheduleKind.CRON, cron, null, null)).orElseThrow();
        assertEquals(Optional.of(Instant.parse(expected)), local.next(Instant.parse(from)));
    }
}
