package dev.fleethook.kernel;

import java.util.List;

/** Input that breaks a rule: answered 400 with each field and its reason; forms show them inline. */
public class BadInputException extends RuntimeException {

    private final List<Problem.FieldError> errors;

    public BadInputException(List<Problem.FieldError> errors) {
        super(errors.isEmpty() ? "Invalid input" : errors.get(0).field() + ": " + errors.get(0).message());
        this.errors = List.copyOf(errors);
    }

    public BadInputException(String field, String message) {
        this(List.of(new Problem.FieldError(field, message)));
    }

    /** The same errors with each field under {@code prefix} ("spec." + "retry.count"). */
    public BadInputException prefixed(String prefix) {
        return new BadInputException(errors.stream()
                .map(e -> new Problem.FieldError(prefix + e.field(), e.message())).toList());
    }

    public List<Problem.FieldError> errors() {
        return errors;
    }

    /** The message for one field, for templates; null when that field is fine. */
    public String messageFor(String field) {
        return errors.stream().filter(e -> e.field().equals(field)).map(Problem.FieldError::message).findFirst()
                .orElse(null);
    }
}
