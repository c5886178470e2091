package dev.fleethook.kernel;

/**
 * The names of the OpenAPI document's shared parts, for the {@code @APIResponse(ref = ...)} and
 * {@code @SecurityRequirement} annotations on every {@code /api} resource. The parts themselves (RFC 9457
 * problem+json error answers, the bearer schemes) are declared once in {@code web.OpenApiDefinition}; the
 * names live here so features document their operations without depending on {@code web}.
 */
public final class ApiDocs {

    private ApiDocs() {
    }

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
