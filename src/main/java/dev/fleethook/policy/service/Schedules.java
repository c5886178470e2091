package dev.fleethook.policy.service;

import java.time.DayOfWeek;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import dev.fleethook.policy.PolicySpec;
import dev.fleethook.protocol.StartTimes;

/**
 * Start times of a schedule, with cron-utils (standard 5-field Unix cron). Daily and weekly schedules
 * are written as cron too, so the agent computes every kind the same way.
 */
public final class Schedules {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private Schedules() {
    }

    /** The problem with a cron expression, or null when it is valid. */
    public static String cronProblem(String expression) {
        if (expression == null || expression.isBlank()) {
            return "is required for a cron schedule";
        }
        if (expression.trim().split("\\s+").length != 5) {
            return "must have 5 fields: minute hour day-of-month month day-of-week";
        }
        try {
            Cron cron = PARSER.parse(expression.trim());
            cron.validate();
            ExecutionTime.forCron(cron).nextExecution(ZonedDateTime.now()).orElseThrow();
            return null;
        } catch (RuntimeException e) {
            String message = e.getMessage() == null ? "is not a valid cron expression" : e.getMessage();
            return "is not a valid cron expression: " + message.replaceAll("\\s+", " ");
        }
    }

    /** The cron expression of a schedule; null for manual-only schedules. */
    public static String toCron(PolicySpec.Schedule schedule) {
        return switch (schedule.kind()) {
            case CRON -> schedule.cron().trim().replaceAll("\\s+", " ");
            case DAILY -> minute(schedule.time()) + " " + hour(schedule.time()) + " * * *";
            case WEEKLY -> minute(schedule.time()) + " " + hour(schedule.time()) + " * * " + schedule.days().stream()
                    .map(Schedules::cronDay).collect(Collectors.joining(","));
            case MANUAL -> null;
        };
    }

    /**
     * The next {@code count} start times after {@code from}, in {@code zone} (the shared rule {@link StartTimes#next});
     * none for a manual-only schedule ({@code cronExpression} null).
     */
    public static List<ZonedDateTime> nextRuns(String cronExpression, ZoneId zone, ZonedDateTime from, int count) {
        if (cronExpression == null) {
            return new ArrayList<>();
        }
        return StartTimes.next(ExecutionTime.forCron(PARSER.parse(cronExpression))::nextExecution, zone, from, count);
    }

    private static String minute(String time) {
        return Integer.toString(Integer.parseInt(time.substring(3, 5)));
    }

    private static String hour(String time) {
        return Integer.toString(Integer.parseInt(time.substring(0, 2)));
    }

    private static String cronDay(DayOfWeek day) {
        return day.name().substring(0, 3);
    }
}
