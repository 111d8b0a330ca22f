package io.promptune.evaluators;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.promptune.datasets.Example;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * 1 if the output holds JSON (found as {@link JsonExtractor} does) that satisfies a JSON Schema.
 * Schemas without "$schema" are read as draft 2020-12. Validation errors are kept in the details.
 */
public final class JsonSchemaValid implements Metric {
    private final Schema schema;

    public JsonSchemaValid(String schemaJson) {
        try {
            this.schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaJson, InputFormat.JSON);
            schema.initializeValidators();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad JSON Schema for metric 'json_schema': " + e.getMessage());
        }
    }

    @Override
    public String name() {
        return "json_schema";
    }

    @Override
    public Score score(String output, Example example) {
        Optional<JsonExtractor.Found> found = JsonExtractor.extract(output);
        if (found.isEmpty()) return new Score(0, Map.of("error", "no JSON found"));
        List<Error> errors = schema.validate(found.get().json());
        if (errors.isEmpty()) return Score.of(1);
        return new Score(0, Map.of("errors", errors.stream().limit(10).map(Error::toString).toList()));
    }
}
