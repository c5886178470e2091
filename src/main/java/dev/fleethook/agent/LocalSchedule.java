package dev.fleethook.agent;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import dev.fleethook.protocol.PolicyDocument;
import dev.fleethook.protocol.StartTimes;

/**
 * The policy's start times, computed on the agent (cron-utils, 5-field Unix cron in the policy's time
 * zone, by the rule the portal uses too: {@link StartTimes}), so that backups keep their schedule while the
 * portal is unreachable.
 */
final class LocalSchedule {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final ExecutionTime execution;
    private final ZoneId zone;

    private LocalSchedule(ExecutionTime execution, ZoneId zone) {
        this.execution = execution;
        this.zone = zone;
    }

    /** The schedule of a policy; empty for manual-only policies. */
    static Optional<LocalSchedule> of(PolicyDocument.Schedule schedule) {
        if (schedule == null || schedule.cron() == null) {
            return Optional.empty();
        }
        ZoneId zone = StartTimes.zone(schedule.timeZone());
        return Optional.of(new LocalSchedule(ExecutionTime.forCron(PARSER.parse(schedule.cron())), zone));
    }

    /** A key that changes when the start times change (cron or time zone). */
    static String key(PolicyDocument.Schedule schedule) {
        return schedule == null || schedule.cron() == null ? null : schedule.cron() + "|" + schedule.timeZone();
    }

    /** The first start strictly after {@code after}. */
    Optional<Instant> next(Instant after) {
        return StartTimes.first(execution::nextExecution, zone, after);
    }

    /** The latest start at or before {@code now}. */
    Optional<Instant> latest(Instant now) {
        ZonedDateTime at = ZonedDateTime.ofInstant(now, zone);
        if (execution.isMatch(at.withNano(0)) && at.getSecond() == 0) {
            return Optional.of(at.withNano(0).toInstant());
        }
        return execution.lastExecution(at).map(ZonedDateTime::toInstant);
    }
}
