package dev.fleethook.kernel;

/**
 * The object asked for does not exist in the current tenant (another tenant's object is "not found",
 * never "forbidden"). Services throw it; {@code web.ErrorMappers} answers 404 (problem+json under
 * {@code /api}, an error page elsewhere).
 */
public class ObjectNotFoundException extends RuntimeException {

    public ObjectNotFoundException() {
        super("Nothing exists at this address.");
    }
}
