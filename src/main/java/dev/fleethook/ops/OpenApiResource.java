package dev.fleethook.ops;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;

import dev.fleethook.kernel.ApiDocs;
import io.quarkus.security.Authenticated;
import io.quarkus.smallrye.openapi.runtime.OpenApiConstants;
import io.quarkus.smallrye.openapi.runtime.OpenApiDocumentService;
import io.smallrye.openapi.runtime.io.Format;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/**
 * The OpenAPI document for signed-in users. In production {@code /q/openapi} and Swagger UI live on the
 * management port, which is never exposed outside the cluster; the same document is served here to any
 * authenticated caller with an API token ({@link OpenApiPage} serves it to a portal session).
 * {@code ?format=yaml} gives YAML, JSON otherwise.
 */
@Path("/api/v1/openapi")
@Authenticated
@SecurityRequirement(name = ApiDocs.API_TOKEN)
@APIResponse(responseCode = "401", ref = ApiDocs.UNAUTHORIZED)
@APIResponse(responseCode = "503", ref = ApiDocs.UNAVAILABLE)
public class OpenApiResource {

    @Inject
    OpenApiDocumentService documents;

    @GET
    @Produces({"application/json", "application/yaml"})
    @Operation(summary = "This OpenAPI document (?format=yaml for YAML)")
    public Response document(@QueryParam("format") String format) {
        return document(documents, format);
    }

    static Response document(OpenApiDocumentService documents, String format) {
        boolean yaml = "yaml".equalsIgnoreCase(format);
        byte[] doc = documents.getDocument(OpenApiConstants.DEFAULT_DOCUMENT_NAME, yaml ? Format.YAML : Format.JSON);
        return Response.ok(doc, yaml ? "application/yaml" : "application/json").build();
    }
}
