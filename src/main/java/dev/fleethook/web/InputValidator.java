package dev.fleethook.web;

import java.util.Comparator;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;

/** Validates a request record and turns every violation into a field error (same for API and forms). */
@ApplicationScoped
public class InputValidator {

    @Inject
    Validator validator;

    public <T> T check(T input) {
        if (input == null) {
            throw new BadInputException("body", "a request body is required");
        }
        var violations = validator.validate(input);
        if (!violations.isEmpty()) {
            List<Problem.FieldError> errors = violations.stream()
                    .map(InputValidator::toFieldError)
                    .sorted(Comparator.comparing(Problem.FieldError::field))
                    .toList();
            throw new BadInputException(errors);
        }
        return input;
    }

    private static Problem.FieldError toFieldError(ConstraintViolation<?> v) {
        return new Problem.FieldError(v.getPropertyPath().toString(), v.getMessage());
    }
}
