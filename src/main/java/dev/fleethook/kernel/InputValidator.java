package dev.fleethook.kernel;

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
        List<Problem.FieldError> unstorable = unstorableText(input);
        if (!unstorable.isEmpty()) {
            throw new BadInputException(unstorable);
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

    /**
     * Text fields of a request record (and the text items of its lists) that PostgreSQL cannot store or
     * that are not Unicode: NUL, unpaired surrogates ({@link StorableText#problem}). JSON bodies are refused
     * earlier by web.StrictJson; this covers the forms, whose fields arrive as plain strings.
     */
    static List<Problem.FieldError> unstorableText(Object input) {
        List<Problem.FieldError> errors = new java.util.ArrayList<>();
        if (input == null || !input.getClass().isRecord()) {
            return errors;
        }
        for (var component : input.getClass().getRecordComponents()) {
            Object value;
            try {
                component.getAccessor().setAccessible(true);
                value = component.getAccessor().invoke(input);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (value instanceof String text && StorableText.problem(text) != null) {
                errors.add(new Problem.FieldError(component.getName(), StorableText.problem(text)));
            } else if (value instanceof List<?> list) {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) instanceof String text && StorableText.problem(text) != null) {
                        errors.add(new Problem.FieldError(component.getName() + "[" + i + "]", StorableText.problem(text)));
                    }
                }
            }
        }
        return errors;
    }

    private static Problem.FieldError toFieldError(ConstraintViolation<?> v) {
        return new Problem.FieldError(v.getPropertyPath().toString(), v.getMessage());
    }
}
