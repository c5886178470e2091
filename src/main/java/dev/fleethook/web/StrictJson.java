package dev.fleethook.web;

import dev.fleethook.kernel.StorableText;
import java.io.IOException;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The JSON rules every request body follows, in one place (issue 13): text may not hold NUL (which
 * PostgreSQL cannot store) or an unpaired UTF-16 surrogate (which is not Unicode text), and a list may
 * not hold {@code null}. Each is refused while parsing, so the answer is a 400 naming the field
 * ({@code spec.hooks[0].path}) through {@link ErrorMappers}.
 *
 * <p>The agent's event records are exempt: event ingestion stores what a machine reported and cleans
 * such text itself, answering per event.
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    /** Records whose text fields are taken as sent; their consumer sanitizes them. */
    static final Set<String> LENIENT = Set.of("dev.fleethook.protocol.JobEvent", "dev.fleethook.protocol.StepResult",
            "dev.fleethook.protocol.EventBatch");

    @Override
    public void customize(ObjectMapper mapper) {
        // Lists and sets only: a map may carry null values (an agent's step statistics).
        for (Class<?> type : List.of(java.util.List.class, java.util.Set.class, java.util.Collection.class)) {
            mapper.configOverride(type).setSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL));
        }
        mapper.registerModule(new SimpleModule("fleethook-strict-text").addDeserializer(String.class, new StrictText()));
    }

    static final class StrictText extends StdScalarDeserializer<String> implements ContextualDeserializer {

        StrictText() {
            super(String.class);
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
            if (property != null && property.getMember() != null
                    && LENIENT.contains(property.getMember().getDeclaringClass().getName())) {
                return StringDeserializer.instance;
            }
            return this;
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = StringDeserializer.instance.deserialize(p, ctxt);
            String problem = value == null ? null : StorableText.problem(value);
            if (problem != null) {
                throw new InvalidFormatException(p, problem, value, String.class);
            }
            return value;
        }

        @Override
        public boolean isCachable() {
            return false;
        }
    }
}
