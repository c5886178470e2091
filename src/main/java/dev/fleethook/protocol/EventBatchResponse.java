package dev.fleethook.protocol;

/** How many events of a batch were new, and how many had been received before (and were ignored). */
public record EventBatchResponse(int accepted, int duplicates) {
}
