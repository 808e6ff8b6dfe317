package io.paygate.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Set;

/** The JSON Schemas in docs/schemas, checked against messages the gateway really produced. */
final class Schemas {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Schemas() {
    }

    static void assertValid(String schema, String message) throws Exception {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        try (InputStream in = Files.newInputStream(GatewayProcess.PROJECT.resolve("docs/schemas/" + schema + ".schema.json"))) {
            JsonSchema s = factory.getSchema(in);
            JsonNode node = JSON.readTree(message);
            Set<ValidationMessage> problems = s.validate(node);
            assertThat(problems).as(schema + " of " + message).isEmpty();
        }
    }
}
