package dev.fleethook.web;

import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

import dev.fleethook.kernel.ApiDocs;
import dev.fleethook.kernel.Problem;
import jakarta.ws.rs.core.Application;


/**
 * What every operation of the OpenAPI document ({@code /q/openapi}, {@code /api/v1/openapi}) shares:
 * the two bearer schemes (an API token for {@code /api/v1}, an agent's secret for {@code /api/agent/v1};
 * HTTP Basic only to create a token) and the error answers, each an RFC 9457 {@code application/problem+json}
 * body ({@link Problem}). Operations name the errors they really return with
 * {@code @APIResponse(responseCode = "404", ref = OpenApiDefinition.NOT_FOUND)}. It extends
 * {@link Application} only because that is where the OpenAPI scanner reads {@link OpenAPIDefinition}; it
 * adds no path and lists no classes, so every resource stays as it is.
 */
@OpenAPIDefinition(info = @Info(title = "Fleethook API", version = "1.0"), components = @Components(
        securitySchemes = {
                @SecurityScheme(securitySchemeName = ApiDocs.API_TOKEN, type = SecuritySchemeType.HTTP,
                        scheme = "bearer", description = "An API token (POST /api/v1/me/tokens) sent as "
                                + "'Authorization: Bearer <token>'. /api/v1 ignores cookies."),
                @SecurityScheme(securitySchemeName = ApiDocs.AGENT_SECRET, type = SecuritySchemeType.HTTP,
                        scheme = "bearer", description = "The agent's secret from enrollment, sent as "
                                + "'Authorization: Bearer <secret>'. Agents also send the informational headers "
                                + "Fleethook-Running-Job and Fleethook-Rejected-Events on their polls."),
                @SecurityScheme(securitySchemeName = ApiDocs.BASIC, type = SecuritySchemeType.HTTP,
                        scheme = "basic", description = "Email and password, accepted only to create an API token.") },
        responses = {
                @APIResponse(name = ApiDocs.BAD_REQUEST, description = "Bad input: errors[] names each wrong "
                        + "field (field, message); malformed JSON or an unknown field is named too.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocs.UNAUTHORIZED, description = "No valid credentials "
                        + "(WWW-Authenticate: Bearer).",
                        headers = @Header(name = "WWW-Authenticate", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING)),
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocs.FORBIDDEN, description = "Signed in, but the role does not allow it.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocs.NOT_FOUND, description = "No such object in the caller's tenant "
                        + "(another tenant's objects are not found either).",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocs.CONFLICT, description = "The object's state does not allow it; "
                        + "detail says why and what to do.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocs.TOO_LARGE, description = "The body is over the limit "
                        + "(2 MiB, or the agent protocol's batch limit).",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = ApiDocs.UNAVAILABLE, description = "The database is down; retry after "
                        + "Retry-After seconds.",
                        headers = @Header(name = "Retry-After", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.INTEGER)),
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))) }))
public class OpenApiDefinition extends Application {

    // The names the resources refer to live in kernel.ApiDocs, so features need not use web.
}
