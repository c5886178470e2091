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
                @SecurityScheme(securitySchemeName = OpenApiDefinition.API_TOKEN, type = SecuritySchemeType.HTTP,
                        scheme = "bearer", description = "An API token (POST /api/v1/me/tokens) sent as "
                                + "'Authorization: Bearer <token>'. /api/v1 ignores cookies."),
                @SecurityScheme(securitySchemeName = OpenApiDefinition.AGENT_SECRET, type = SecuritySchemeType.HTTP,
                        scheme = "bearer", description = "The agent's secret from enrollment, sent as "
                                + "'Authorization: Bearer <secret>'. Agents also send the informational headers "
                                + "Fleethook-Running-Job and Fleethook-Rejected-Events on their polls."),
                @SecurityScheme(securitySchemeName = OpenApiDefinition.BASIC, type = SecuritySchemeType.HTTP,
                        scheme = "basic", description = "Email and password, accepted only to create an API token.") },
        responses = {
                @APIResponse(name = OpenApiDefinition.BAD_REQUEST, description = "Bad input: errors[] names each wrong "
                        + "field (field, message); malformed JSON or an unknown field is named too.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = OpenApiDefinition.UNAUTHORIZED, description = "No valid credentials "
                        + "(WWW-Authenticate: Bearer).",
                        headers = @Header(name = "WWW-Authenticate", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING)),
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = OpenApiDefinition.FORBIDDEN, description = "Signed in, but the role does not allow it.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = OpenApiDefinition.NOT_FOUND, description = "No such object in the caller's tenant "
                        + "(another tenant's objects are not found either).",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = OpenApiDefinition.CONFLICT, description = "The object's state does not allow it; "
                        + "detail says why and what to do.",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = OpenApiDefinition.TOO_LARGE, description = "The body is over the limit "
                        + "(2 MiB, or the agent protocol's batch limit).",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))),
                @APIResponse(name = OpenApiDefinition.UNAVAILABLE, description = "The database is down; retry after "
                        + "Retry-After seconds.",
                        headers = @Header(name = "Retry-After", schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.INTEGER)),
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))) }))
public class OpenApiDefinition extends Application {

    /** Security scheme: an API token as a bearer token. */
    public static final String API_TOKEN = "apiToken";
    /** Security scheme: an agent's secret as a bearer token. */
    public static final String AGENT_SECRET = "agentSecret";
    /** Security scheme: HTTP Basic, only to create an API token. */
    public static final String BASIC = "basic";

    /** Reusable responses (components/responses), all problem+json. */
    public static final String BAD_REQUEST = "BadRequest";
    public static final String UNAUTHORIZED = "Unauthorized";
    public static final String FORBIDDEN = "Forbidden";
    public static final String NOT_FOUND = "NotFound";
    public static final String CONFLICT = "Conflict";
    public static final String TOO_LARGE = "PayloadTooLarge";
    public static final String UNAVAILABLE = "ServiceUnavailable";

    /** The description of the {@code Location} header of every 201. */
    public static final String LOCATION = "The URL of the created object.";

}
