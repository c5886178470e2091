package dev.fleethook.ops;

import io.quarkus.security.Authenticated;
import io.quarkus.smallrye.openapi.runtime.OpenApiDocumentService;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/** The OpenAPI document of {@link OpenApiResource} for a signed-in portal session, at {@code /openapi}. */
@Path("/openapi")
@Authenticated
public class OpenApiPage {

    @Inject
    OpenApiDocumentService documents;

    @GET
    @Produces({"application/json", "application/yaml"})
    public Response document(@QueryParam("format") String format) {
        return OpenApiResource.document(documents, format);
    }
}
