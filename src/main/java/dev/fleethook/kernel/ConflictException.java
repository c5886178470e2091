package dev.fleethook.kernel;

import org.hibernate.exception.ConstraintViolationException;

/** The request is valid but clashes with the current state (a taken name, a stale revision): 409. */
public class ConflictException extends RuntimeException {

    public ConflictException(String message) {
        super(message);
    }

    /** Whether {@code e} was caused by the unique constraint or index named {@code constraint}. */
    public static boolean isUniqueViolation(Throwable e, String constraint) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConstraintViolationException c && constraint.equals(c.getConstraintName())) {
                return true;
            }
        }
        return false;
    }
}
