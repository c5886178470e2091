package dev.fleethook.web;

import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.UUID;
import java.util.function.Function;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.ext.ParamConverter;
import jakarta.ws.rs.ext.ParamConverterProvider;
import jakarta.ws.rs.ext.Provider;
import dev.fleethook.kernel.BadInputException;
import dev.fleethook.kernel.Problem;

/**
 * How path, query and form parameters become UUIDs and numbers, for every endpoint at once: a value
 * that does not convert is a 400 naming the parameter ({@code server: must be a UUID}), not the
 * framework's bare 404/400 or a 500 (issue 13). Pages that read an id as text use {@code kernel.Uuids.parse}.
 */
@Provider
public class ParameterConverters implements ParamConverterProvider {

    @Override
    @SuppressWarnings("unchecked")
    public <T> ParamConverter<T> getConverter(Class<T> rawType, Type genericType, Annotation[] annotations) {
        String name = name(annotations);
        if (rawType == UUID.class) {
            return (ParamConverter<T>) converter(name, "must be a UUID", UUID::fromString);
        }
        if (rawType == Integer.class || rawType == int.class) {
            return (ParamConverter<T>) converter(name, "must be a whole number", s -> Integer.valueOf(s.trim()));
        }
        if (rawType == Long.class || rawType == long.class) {
            return (ParamConverter<T>) converter(name, "must be a whole number", s -> Long.valueOf(s.trim()));
        }
        return null;
    }

    static <T> ParamConverter<T> converter(String name, String reason, Function<String, T> parse) {
        return new ParamConverter<>() {
            @Override
            public T fromString(String value) {
                if (value == null || value.isEmpty()) {
                    return null;
                }
                try {
                    return parse.apply(value);
                } catch (RuntimeException e) {
                    throw invalid(name, reason);
                }
            }

            @Override
            public String toString(T value) {
                return value == null ? null : value.toString();
            }
        };
    }

    /** A 400 that names its parameter; {@link ErrorMappers} answers it (no entity, so the mappers run). */
    static BadRequestException invalid(String name, String reason) {
        return new InvalidParameter(new Problem.FieldError(name, reason));
    }

    /** A parameter that did not convert, with its name and the reason. */
    public static final class InvalidParameter extends BadRequestException {
        private final Problem.FieldError error;

        InvalidParameter(Problem.FieldError error) {
            super(error.field() + ": " + error.message());
            this.error = error;
        }

        public Problem.FieldError error() {
            return error;
        }
    }

    static String name(Annotation[] annotations) {
        if (annotations != null) {
            for (Annotation a : annotations) {
                String n = a instanceof QueryParam q ? q.value() : a instanceof PathParam p ? p.value()
                        : a instanceof FormParam f ? f.value() : a instanceof RestQuery rq ? rq.value()
                        : a instanceof RestPath rp ? rp.value() : a instanceof RestForm rf ? rf.value() : null;
                if (n != null && !n.isEmpty()) {
                    return n;
                }
            }
        }
        return "parameter";
    }
}
