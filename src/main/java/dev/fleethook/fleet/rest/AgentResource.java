package dev.fleethook.fleet.rest;

import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;

import dev.fleethook.fleet.AgentCredential;
import dev.fleethook.fleet.security.AgentIdentityProvider;
import dev.fleethook.fleet.service.AgentService;
import dev.fleethook.fleet.service.FleetConfig;
import dev.fleethook.fleet.service.HeartbeatWriter;
import dev.fleethook.fleet.service.PollCache;
import dev.fleethook.job.service.EventIngestion;
import dev.fleethook.protocol.AgentHeaders;
import dev.fleethook.protocol.EnrollRequest;
import dev.fleethook.protocol.EnrollResponse;
import dev.fleethook.protocol.EventBatch;
import dev.fleethook.protocol.EventBatchResponse;
import dev.fleethook.web.Problem;
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
 * the answer is cached; only a miss goes to a worker thread and the database.
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
    EventIngestion ingestion;

    @Inject
    FleetConfig config;

    @Inject
    SecurityIdentity identity;

    @POST
    @Path("/enroll")
    @PermitAll
    public EnrollResponse enroll(EnrollRequest request) {
        return agents.enroll(request);
    }

    /** Reachability check for agents and load tests: no authentication, no database. */
    @GET
    @Path("/ping")
    @PermitAll
    @NonBlocking
    public Response ping() {
        return Response.noContent().build();
    }

    @GET
    @Path("/policy")
    @RolesAllowed(AgentIdentityProvider.ROLE)
    public Uni<Response> policy(@RestHeader("If-None-Match") String ifNoneMatch,
            @RestHeader(AgentHeaders.RUNNING_JOB) String runningJob,
            @RestHeader(AgentHeaders.REJECTED_EVENTS) String rejectedEvents) {
        AgentCredential agent = identity.getAttribute(AgentIdentityProvider.CREDENTIAL);
        heartbeats.record(agent.serverId(), runningJob, rejectedEvents);
        PollCache.Answer cached = cache.answer(agent.serverId());
        if (cached != null) {
            return Uni.createFrom().item(respond(cached, ifNoneMatch));
        }
        return Uni.createFrom().item(() -> agents.answer(agent))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .map(answer -> respond(answer, ifNoneMatch))
                .onFailure().recoverWithItem(this::unavailable);
    }

    @POST
    @Path("/events")
    @RolesAllowed(AgentIdentityProvider.ROLE)
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
    dev.fleethook.web.FleetMetrics metrics;

    private Response respond(PollCache.Answer answer, String ifNoneMatch) {
        boolean notModified = AgentService.matches(ifNoneMatch, answer.etag());
        metrics.poll(notModified);
        if (notModified) {
            return Response.notModified().tag(new jakarta.ws.rs.core.EntityTag(unquote(answer.etag()))).build();
        }
        return Response.ok(answer.json(), MediaType.APPLICATION_JSON_TYPE)
                .tag(new jakarta.ws.rs.core.EntityTag(unquote(answer.etag()))).build();
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
