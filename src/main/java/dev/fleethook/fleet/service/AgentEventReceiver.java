package dev.fleethook.fleet.service;

import com.fasterxml.jackson.databind.JsonNode;

import dev.fleethook.fleet.AgentCredential;
import dev.fleethook.protocol.EventBatchResponse;

/**
 * Where the agent API hands a batch of job events. The job feature implements it (its
 * {@code EventIngestion}), so events flow from fleet to job and fleet never depends on job.
 */
public interface AgentEventReceiver {

    /**
     * Ingests a batch as received ({@code {"events": [...]}}, at most {@code EventBatch.MAX_EVENTS}; the
     * caller checks the size) for the authenticated {@code agent}.
     *
     * @throws dev.fleethook.kernel.BadInputException when the body is not a batch at all
     */
    EventBatchResponse ingest(AgentCredential agent, JsonNode body);
}
