package dev.fleethook.protocol;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How many events of a batch were new, how many had been received before (and were ignored), and the
 * events refused one by one ({@code rejected}, absent when none): each with its id (null when the event
 * had none), its index in the batch and the reason. A refused event will never be accepted as it is:
 * the agent sets it aside instead of sending it again. The rest of the batch is taken.
 */
public record EventBatchResponse(int accepted, int duplicates,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Rejected> rejected) {

    public EventBatchResponse(int accepted, int duplicates) {
        this(accepted, duplicates, List.of());
    }

    /** One refused event: {@code field} names what is wrong (e.g. {@code trigger}), {@code reason} why. */
    public record Rejected(UUID eventId, int index, String field, String reason) {
    }
}
