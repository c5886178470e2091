package dev.fleethook.fleet.pages;

import java.util.Base64;
import java.util.HexFormat;

import dev.fleethook.fleet.service.AgentJar;
import dev.fleethook.identity.Role;
import dev.fleethook.kernel.ObjectNotFoundException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * The agent jar for download from the portal itself, for signed-in people (a browser signed out is sent to
 * the sign-in page and back): {@code GET /downloads/fleethook-agent.jar} answers the jar the portal was
 * shipped with ({@link AgentJar}) as an attachment named {@value AgentJar#FILE_NAME}, with its SHA-256 in
 * {@code Repr-Digest} (RFC 9530) and as the ETag; 404 when this portal has no jar (the Enrollment page then
 * says how to build it).
 */
@Path("/downloads")
@RolesAllowed({ Role.TENANT_VIEWER, Role.PLATFORM })
public class AgentJarResource {

    @Inject
    AgentJar jar;

    @GET
    @Path("/" + AgentJar.FILE_NAME)
    public Response agentJar() {
        AgentJar.Available available = jar.find().orElseThrow(ObjectNotFoundException::new);
        return Response.ok(available.path().toFile(), "application/java-archive")
                .header("Content-Disposition", "attachment; filename=\"" + AgentJar.FILE_NAME + "\"")
                .header("Repr-Digest", "sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of()
                        .parseHex(available.sha256())) + ":")
                .header("ETag", "\"" + available.sha256() + "\"")
                .build();
    }
}
