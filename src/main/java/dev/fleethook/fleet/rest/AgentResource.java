package dev.fleethook.fleet.rest;

import java.time.Duration;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;

import dev.fleethook.fleet.AgentCredential;
import dev.fleethook.fleet.security.AgentIdentityProvider;
import dev.fleethook.fleet.service.AgentService;
import dev.fleethook.fleet.service.FleetConfig;
import dev.fleethook.fleet.service.HeartbeatWriter;
import dev.fleethook.fleet.service.PollCache;
import dev.fleethook.protocol.AgentHeaders;
import dev.fleethook.protocol.EnrollRequest;
import dev.fleethook.protocol.EnrollResponse;
import dev.fleethook.protocol.EventBatch;
import dev.fleethook.protocol.EventBatchResponse;
import dev.fleethook.protocol.PollWait;
import dev.fleethook.kernel.ApiDocs;
import dev.fleethook.kernel.Problem;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The agent protocol (paths fixed by contract). Polls are answered on the I/O thread from memory when
 * the answer is cached; only a miss goes to a worker thread and the database. A poll with
 * {@code ?wait=S} whose ETag still matches is held (see {@link PollWait}): it waits as a watcher in the
 * {@link PollCache}, with no thread and no database work, until the answer changes or the time is up.
 */
@Path("/api/agent/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Agent protocol")

public class AgentResource {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(AgentResource.class);

    @Inject
    AgentService agents;

    @Inject
    PollCache cache;

    @Inject
    HeartbeatWriter heartbeats;

    @Inject
    dev.fleethook.fleet.service.AgentEventReceiver ingestion;

    @Inject
    FleetConfig config;

    @Inject
    SecurityIdentity identity;

    @POST
    @Path("/enroll")
    @PermitAll
    @Operation(summary = "Enroll an agent with an enrollment token; answers its server id and secret")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public EnrollResponse enroll(EnrollRequest request) {
        return agents.enroll(request);
    }

    /** Reachability check for agents and load tests: no authentication, no database. */
    @GET
    @Path("/ping")
    @PermitAll
    @NonBlocking
    @Operation(summary = "Reachability check: no credentials, no database")
    @APIResponse(responseCode = "204", description = "The agent API answers")
    public Response ping() {
        return Response.noContent().build();
    }

    @GET
    @Path("/policy")
    @RolesAllowed(AgentIdentityProvider.ROLE)
    @Operation(summary = "Poll: the server's policy document and pending commands (a heartbeat; 304 when the ETag matches)")
    @SecurityRequirement(name = ApiDocs.AGENT_SECRET)
    @APIResponse(responseCode = "304", description = "The document has not changed")
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
    @APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
    public Uni<Response> policy(@RestHeader("If-None-Match") String ifNoneMatch,
            @RestHeader(AgentHeaders.RUNNING_JOB) String runningJob,
            @RestHeader(AgentHeaders.REJECTED_EVENTS) String rejectedEvents,
            @RestHeader(AgentHeaders.FEATURES) String features,
            @RestQuery(PollWait.PARAMETER) String wait) {
        Integer waitSeconds = waitSeconds(wait);
        if (waitSeconds == null) {
            return Uni.createFrom().item(badWait());
        }
        AgentCredential agent = identity.getAttribute(AgentIdentityProvider.CREDENTIAL);
        heartbeats.record(agent.serverId(), runningJob, rejectedEvents,
                AgentHeaders.names(features, AgentHeaders.TEST_RUNS));
        // Held no longer than the poll interval, so that a held poll still beats once per interval.
        int granted = wait == null ? -1 : Math.min(waitSeconds, Math.max(1, agent.pollIntervalSeconds()));
        PollCache.Answer cached = cache.answer(agent.serverId());
        if (cached != null) {
            // Held only for the exact ETag an agent holds (not "*"): there is an answer it already has.
            if (granted > 0 && ifNoneMatch != null && ifNoneMatch.contains(cached.etag())) {
                return hold(agent, cached, ifNoneMatch, granted);
            }
            return Uni.createFrom().item(respond(cached, ifNoneMatch, granted == -1 ? -1 : 0));
        }
        return build(agent, ifNoneMatch, granted == -1 ? -1 : 0);
    }

    /**
     * Waits, without a thread, until {@code seen} is dropped from the cache (the answer changed on some
     * replica) or {@code seconds} pass; then answers from the fresh answer, or 304.
     */
    private Uni<Response> hold(AgentCredential agent, PollCache.Answer seen, String ifNoneMatch, int seconds) {
        return Uni.createFrom().<Boolean>emitter(emitter -> {
            Runnable unwatch = cache.watch(agent.serverId(), seen, () -> emitter.complete(Boolean.TRUE));
            emitter.onTermination(unwatch);
        }).ifNoItem().after(Duration.ofSeconds(seconds)).recoverWithItem(Boolean.FALSE)
                .chain(changed -> {
                    heartbeats.record(agent.serverId());
                    if (!changed) {
                        return Uni.createFrom().item(respond(seen, ifNoneMatch, seconds));
                    }
                    PollCache.Answer fresh = cache.answer(agent.serverId());
                    return fresh != null ? Uni.createFrom().item(respond(fresh, ifNoneMatch, seconds))
                            : build(agent, ifNoneMatch, seconds);
                });
    }

    private Uni<Response> build(AgentCredential agent, String ifNoneMatch, int granted) {
        return Uni.createFrom().item(() -> agents.answer(agent))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .map(answer -> respond(answer, ifNoneMatch, granted))
                .onFailure().recoverWithItem(this::unavailable);
    }

    /** The hold asked for, clamped to {@link PollWait#MAX_SECONDS}; 0 when absent; null when malformed. */
    private static Integer waitSeconds(String wait) {
        if (wait == null) {
            return 0;
        }
        try {
            int seconds = Integer.parseInt(wait.trim());
            return seconds < 0 ? null : Math.min(seconds, PollWait.MAX_SECONDS);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Response badWait() {
        return Response.status(400).type(Problem.MEDIA_TYPE)
                .entity(new Problem("about:blank", "Bad request", 400,
                        "wait must be a whole number of seconds, 0 or more.", "/api/agent/v1/policy",
                        List.of(new Problem.FieldError(PollWait.PARAMETER,
                                "must be a whole number of seconds, 0 or more"))))
                .build();
    }

    @POST
    @Path("/events")
    @RolesAllowed(AgentIdentityProvider.ROLE)
    @Operation(summary = "Report a batch of job events (idempotent by event id)")
    @SecurityRequirement(name = ApiDocs.AGENT_SECRET)
    @APIResponse(responseCode = "400", ref = ApiDocs.BAD_REQUEST)
    @APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
    @APIResponse(responseCode = "413", ref = ApiDocs.TOO_LARGE)
    public Response events(com.fasterxml.jackson.databind.JsonNode batch) {
        com.fasterxml.jackson.databind.JsonNode list = batch == null ? null : batch.get("events");
        if (list != null && list.isArray() && list.size() > EventBatch.MAX_EVENTS) {
            return Response.status(413).type(Problem.MEDIA_TYPE).entity(Problem.of(413, "Batch too large",
                    "Send at most " + EventBatch.MAX_EVENTS + " events per batch.", "/api/agent/v1/events")).build();
        }
        AgentCredential agent = identity.getAttribute(AgentIdentityProvider.CREDENTIAL);
        EventBatchResponse response = ingestion.ingest(agent, batch);
        metrics.eventsIngested(response.accepted(), response.duplicates());
        return Response.ok(response).build();
    }

    @Inject
    dev.fleethook.fleet.service.AgentApiMetrics metrics;

    /** The answer, or 304; {@code granted} >= 0 adds the {@link PollWait#HEADER} (the request asked to wait). */
    private Response respond(PollCache.Answer answer, String ifNoneMatch, int granted) {
        boolean notModified = AgentService.matches(ifNoneMatch, answer.etag());
        metrics.poll(notModified);
        Response.ResponseBuilder b = notModified ? Response.notModified()
                : Response.ok(answer.json(), MediaType.APPLICATION_JSON_TYPE);
        b.tag(new jakarta.ws.rs.core.EntityTag(unquote(answer.etag())));
        if (granted >= 0) {
            b.header(PollWait.HEADER, granted);
        }
        return b.build();
    }

    private Response unavailable(Throwable failure) {
        LOG.warnf("Poll answer could not be built: %s", failure.toString());
        return Response.status(503).header("Retry-After", config.retryAfterSeconds()).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(503, "Service unavailable",
                        "The portal cannot build this answer right now; retry later.", "/api/agent/v1/policy"))
                .build();
    }

    private static String unquote(String etag) {
        return etag.substring(1, etag.length() - 1);
    }
}
