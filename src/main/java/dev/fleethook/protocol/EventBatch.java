package dev.fleethook.protocol;

import java.util.List;

/** {@code POST /api/agent/v1/events}: at most {@link #MAX_EVENTS} events, in any order. */
public record EventBatch(List<JobEvent> events) {

    public static final int MAX_EVENTS = 500;
}
