package dev.fleethook.web;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.persistence.OptimisticLockException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.fleet.service.AgentService;
import dev.fleethook.kernel.DatabaseErrors;
import dev.fleethook.kernel.ObjectNotFoundException;
import dev.fleethook.kernel.ConflictException;
import dev.fleethook.kernel.Problem;

/**
 * Every error becomes a clear answer, never a stack trace: {@code application/problem+json} under
 * {@code /api}, an error page elsewhere.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @CheckedTemplate(basePath = "Errors")
    static class Templates {
        static native TemplateInstance error(int status, String title, String detail);
    }

    @ServerExceptionMapper
    public Response badInput(BadInputException e, UriInfo uri) {
        return respond(uri, new Problem("about:blank", "Invalid input", 400, e.getMessage(), path(uri), e.errors()));
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, UriInfo uri) {
        List<Problem.FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> v : e.getConstraintViolations()) {
            errors.add(new Problem.FieldError(fieldName(v.getPropertyPath()), v.getMessage()));
        }
        errors.sort((a, b) -> a.field().compareTo(b.field()));
        return respond(uri, new Problem("about:blank", "Invalid input", 400,
                errors.isEmpty() ? "Invalid input" : errors.get(0).field() + ": " + errors.get(0).message(),
                path(uri), errors));
    }

    @ServerExceptionMapper(priority = 1)
    public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
        return json(e, uri);
    }

    @ServerExceptionMapper(priority = 1)
    public Response json(JsonProcessingException e, UriInfo uri) {
        String field = null;
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (JsonMappingException.Reference ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    sb.append(sb.isEmpty() ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    sb.append('[').append(ref.getIndex()).append(']');
                }
            }
            field = sb.toString();
        }
        String reason = "has the wrong type or format";
        if (e instanceof InvalidFormatException f && f.getTargetType() == String.class) {
            reason = f.getOriginalMessage();
        } else if (e instanceof com.fasterxml.jackson.databind.exc.InvalidNullException) {
            reason = field != null && field.endsWith("]") ? "must not be null" : "must not be null or contain null";
        } else if (e instanceof UnrecognizedPropertyException) {
            reason = "is not a known field";
        } else if (e.getCause() instanceof IllegalArgumentException iae && iae.getMessage() != null) {
            reason = iae.getMessage();
        }
        if (e instanceof InvalidFormatException f && f.getTargetType() != null && f.getTargetType().isEnum()) {
            reason = "must be one of " + java.util.Arrays.stream(f.getTargetType().getEnumConstants())
                    .map(Object::toString).collect(java.util.stream.Collectors.joining(", "));
        }
        if (field == null || field.isEmpty()) {
            // Not valid JSON, or the wrong shape as a whole: the field at fault is the body.
            field = "body";
            reason = "is not valid JSON for this endpoint" + (e.getOriginalMessage() == null ? ""
                    : " (" + e.getOriginalMessage().lines().findFirst().orElse("").replaceAll("\\(.*", "").trim() + ")");
        }
        String detail = "Field '" + field + "' " + reason + ".";
        List<Problem.FieldError> errors = List.of(new Problem.FieldError(field, reason));
        return respond(uri, new Problem("about:blank", "Malformed request body", 400, detail, path(uri), errors));
    }

    @ServerExceptionMapper
    public Response notFound(ObjectNotFoundException e, UriInfo uri) {
        return respond(uri, Problem.of(404, "Not Found", e.getMessage(), path(uri)));
    }

    /** An agent's enrollment token that cannot be used: 401 without saying why. */
    @ServerExceptionMapper
    public Response invalidEnrollmentToken(AgentService.InvalidTokenException e, UriInfo uri) {
        return respond(uri, Problem.of(401, "Unauthorized", e.getMessage(), path(uri)));
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e, UriInfo uri) {
        return respond(uri, Problem.of(409, "Conflict", e.getMessage(), path(uri)));
    }

    @ServerExceptionMapper
    public Response staleWrite(OptimisticLockException e, UriInfo uri) {
        return respond(uri, Problem.of(409, "Conflict",
                "Someone else changed this in the meantime; reload and apply your change again.", path(uri)));
    }

    /** Signed out: the API answers 401 with a problem; pages send the browser to sign in. */
    @ServerExceptionMapper(priority = 1)
    public Response unauthorized(UnauthorizedException e, UriInfo uri, HttpHeaders headers) {
        String path = path(uri);
        if (path.startsWith("/api/")) {
            return Response.status(401).type(Problem.MEDIA_TYPE).header("WWW-Authenticate", "Bearer realm=\"fleethook\"")
                    .entity(Problem.of(401, "Unauthorized", "Send a valid API token as 'Authorization: Bearer <token>'.",
                            path))
                    .build();
        }
        // The whole deep link, query included, comes back after sign-in.
        String query = uri.getRequestUri().getRawQuery();
        String location = "/sign-in?next=" + URLEncoder.encode(query == null || query.isEmpty() ? path : path + "?" + query,
                StandardCharsets.UTF_8);
        if (headers.getHeaderString("HX-Request") != null) {
            return Response.status(401).header("HX-Redirect", location).build();
        }
        return Response.status(302).location(URI.create(location)).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return respond(uri, Problem.of(403, "Forbidden", "Your role does not allow this action.", path(uri)));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse().getStatus();
        if (status < 400) {
            return e.getResponse();
        }
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json, uri);
        }
        if (e instanceof ParameterConverters.InvalidParameter invalid) {
            return respond(uri, new Problem("about:blank", "Invalid input", 400, invalid.getMessage(), path(uri),
                    List.of(invalid.error())));
        }
        if (status == 400) {
            // A framework refusal (a parameter that did not convert): say which part was wrong.
            return respond(uri, new Problem("about:blank", "Invalid input", 400, e.getMessage(), path(uri),
                    List.of(new Problem.FieldError("parameter", e.getMessage() == null ? "is malformed" : e.getMessage()))));
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        String detail = switch (status) {
            case 404 -> "Nothing exists at this address.";
            case 405 -> "This method is not allowed here.";
            case 415 -> "This media type is not accepted here.";
            default -> e.getMessage();
        };
        return respond(uri, Problem.of(status, title, detail, path(uri)));
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(Throwable e, UriInfo uri) {
        if (DatabaseErrors.unavailable(e)) {
            LOG.warnf("Database unavailable on %s: %s", path(uri), e.getMessage());
            Response r = respond(uri, Problem.of(503, "Service unavailable",
                    "The database cannot be reached right now; retry later.", path(uri)));
            return Response.fromResponse(r).header("Retry-After", 15).build();
        }
        Problem.FieldError unreadable = unreadableInput(e);
        if (unreadable != null) {
            return respond(uri, new Problem("about:blank", "Invalid input", 400,
                    unreadable.field() + ": " + unreadable.message(), path(uri), List.of(unreadable)));
        }
        String reference = UUID.randomUUID().toString().substring(0, 8);
        LOG.errorf(e, "Unexpected error %s on %s", reference, path(uri));
        return respond(uri, Problem.of(500, "Internal error",
                "Something went wrong on our side (reference " + reference + ").", path(uri)));
    }

    /**
     * A form the CSRF filter (quarkus-rest-csrf) refused: a missing or wrong token, or no CSRF cookie (an old
     * page, a form from before sign-in, a cross-site post). The filter aborts with a bare 400 and no exception
     * reaches the mappers above, so without this the browser would show an empty page. Nothing else on the
     * portal's pages answers a bare 400; the API ({@code /api/}) is left alone. The error page needs no token (the
     * filter set none for this request).
     *
     * <p>The filter also refuses every request, pages read with GET included, whose CSRF cookie it cannot read
     * (not URL-safe base64, or not {@code quarkus.rest-csrf.token-size} bytes: set by another application on the
     * domain or by a differently configured portal). Such a cookie would blank every page until the user clears
     * cookies, so the answer also expires it: the reload gets a fresh one.
     */
    @ServerResponseFilter
    public void refusedForm(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() != 400 || response.hasEntity()
                || request.getUriInfo().getRequestUri().getPath().startsWith("/api/")) {
            return; // the API takes no cookies, so the CSRF filter never refuses it: a bare 400 there is not a form's
        }
        boolean unreadableCookie = unreadableCsrfCookie(request);
        if (SAFE_METHODS.contains(request.getMethod()) && !unreadableCookie) {
            return;
        }
        Problem problem = unreadableCookie
                ? new Problem("about:blank", "Browser cookie not accepted", 400,
                        "This browser sent a security cookie this portal cannot read (perhaps set by another "
                                + "application on this domain). It has been removed. Reload the page"
                                + (SAFE_METHODS.contains(request.getMethod()) ? "." : " and send the form again."),
                        path(request.getUriInfo()), List.of(new Problem.FieldError(csrfCookie,
                                "is not a CSRF token of this portal")))
                : new Problem("about:blank", "Form not accepted", 400,
                        "This form could not be verified: it was not sent from a page of this portal, or the page is older "
                                + "than your sign-in. Reload the page and send the form again.",
                        path(request.getUriInfo()), List.of(new Problem.FieldError("csrf-token",
                                "is missing or does not match this browser's CSRF cookie")));
        Response answer = respond(request.getUriInfo(), problem);
        Object entity = answer.getEntity() instanceof TemplateInstance page ? page.render() : answer.getEntity();
        response.setEntity(entity, null, answer.getMediaType());
        if (unreadableCookie) {
            boolean secure = csrfCookieSecure || "https".equals(request.getUriInfo().getRequestUri().getScheme());
            response.getHeaders().add(HttpHeaders.SET_COOKIE, csrfCookie + "=; Path=" + csrfCookiePath
                    + "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly" + (secure ? "; Secure" : ""));
        }
    }

    /** Whether the request carries a CSRF cookie the CSRF filter refuses to read (see {@link #refusedForm}). */
    private boolean unreadableCsrfCookie(ContainerRequestContext request) {
        Cookie cookie = request.getCookies().get(csrfCookie);
        if (cookie == null || cookie.getValue() == null) {
            return false;
        }
        try {
            return Base64.getUrlDecoder().decode(cookie.getValue()).length
                    != (csrfSignatureKey.isPresent() ? 32 : csrfTokenSize); // a signed token is an HMAC-SHA256
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    @ConfigProperty(name = "quarkus.rest-csrf.cookie-name", defaultValue = "csrf-token")
    String csrfCookie;

    @ConfigProperty(name = "quarkus.rest-csrf.cookie-path", defaultValue = "/")
    String csrfCookiePath;

    @ConfigProperty(name = "quarkus.rest-csrf.cookie-force-secure", defaultValue = "false")
    boolean csrfCookieSecure;

    @ConfigProperty(name = "quarkus.rest-csrf.token-size", defaultValue = "16")
    int csrfTokenSize;

    @ConfigProperty(name = "quarkus.rest-csrf.token-signature-key")
    Optional<String> csrfSignatureKey;

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    /**
     * Input the framework or the database could not take, found by its cause: a form body that is not
     * valid URL encoding, a broken multipart body, or a value PostgreSQL refuses (NUL in text, SQL
     * states 22021 and 22P05; a number or date out of range, 22003 and 22008; text too long, 22001).
     * The field-level checks (StrictJson, RequestShield, Bean Validation) name the field first; this is
     * the net under them, so such input is a 400, never a 500.
     */
    static Problem.FieldError unreadableInput(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (t instanceof IllegalArgumentException && message.startsWith("Failed to decode URL")) {
                return new Problem.FieldError("body", "is not a valid URL-encoded form");
            }
            if (t instanceof java.io.IOException && message.contains("multipart")) {
                return new Problem.FieldError("body", "is not a valid multipart body");
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
                switch (sql.getSQLState()) {
                    case "22021", "22P05":
                        return new Problem.FieldError("body", "contains characters that cannot be stored (such as NUL)");
                    case "22003", "22008":
                        return new Problem.FieldError("body", "contains a number or date out of range");
                    case "22001":
                        return new Problem.FieldError("body", "contains a value that is too long");
                    default:
                        break;
                }
            }
        }
        return null;
    }

    static Response respond(UriInfo uri, Problem problem) {
        if (path(uri).startsWith("/api/")) {
            return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
        }
        return Response.status(problem.status()).type(MediaType.TEXT_HTML_TYPE)
                .entity(Templates.error(problem.status(), problem.title(), problem.detail())).build();
    }

    private static String path(UriInfo uri) {
        return uri == null ? "" : "/" + uri.getPath().replaceFirst("^/", "");
    }

    private static String fieldName(Path path) {
        // "create.request.email" -> "email": drop the method and parameter nodes.
        List<String> names = new ArrayList<>();
        for (Path.Node node : path) {
            if (node.getKind() == jakarta.validation.ElementKind.PROPERTY
                    || node.getKind() == jakarta.validation.ElementKind.CONTAINER_ELEMENT) {
                names.add(node.getName());
            }
        }
        if (names.isEmpty()) {
            String s = path.toString();
            return s.substring(s.lastIndexOf('.') + 1);
        }
        return String.join(".", names);
    }
}
