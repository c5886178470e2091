package dev.fleethook.identity;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;

/**
 * A password a user may choose: at least {@value #MIN_CHARS} characters and at most
 * {@value #MAX_BYTES} bytes in UTF-8, BCrypt's input limit (longer input would be refused by the hash
 * or, in other implementations, silently truncated). Null passes (generated passwords).
 */
@Target({ ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = PasswordRule.Check.class)
public @interface PasswordRule {

    int MIN_CHARS = 12;
    int MAX_BYTES = 72;

    String message() default "must be at least 12 characters and at most 72 bytes in UTF-8 (BCrypt's limit)";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** The validator behind the annotation. */
    class Check implements ConstraintValidator<PasswordRule, String> {

        /** True when a password fits BCrypt's 72-byte input. */
        public static boolean fitsBcrypt(String password) {
            return password.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES;
        }

        @Override
        public boolean isValid(String value, ConstraintValidatorContext context) {
            return value == null || value.length() >= MIN_CHARS && fitsBcrypt(value);
        }
    }
}
