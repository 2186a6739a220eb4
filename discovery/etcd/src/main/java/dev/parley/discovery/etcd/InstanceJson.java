package dev.parley.discovery.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.discovery.ContractVersion;
import dev.parley.discovery.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The value stored under an instance's keys: the {@link ServiceInstance} as JSON,
 * <pre>{@code
 * {"id":"trips-7f3a","service":"trip-management",
 *  "contracts":[{"contract":"trips","major":1}],
 *  "addresses":{"http":"http://10.0.0.7:8080"},"metadata":{"zone":"eu-west-1a"},"ready":true}
 * }</pre>
 * Reading is strict: anything else under the prefix (another writer's data, a hostile value) is
 * rejected with a message saying what was wrong, and the watch skips it.
 */
final class InstanceJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private InstanceJson() {}

    static byte[] write(ServiceInstance instance) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", instance.id());
        root.put("service", instance.service());
        ArrayNode contracts = root.putArray("contracts");
        instance.contracts().stream()
                .sorted(java.util.Comparator.comparing(ContractVersion::contract).thenComparingInt(ContractVersion::major))
                .forEach(c -> contracts.addObject().put("contract", c.contract()).put("major", c.major()));
        ObjectNode addresses = root.putObject("addresses");
        new java.util.TreeMap<>(instance.addresses()).forEach(addresses::put);
        ObjectNode metadata = root.putObject("metadata");
        new java.util.TreeMap<>(instance.metadata()).forEach(metadata::put);
        root.put("ready", instance.ready());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("instance " + instance.id() + ": cannot write JSON", e);
        }
    }

    /**
     * Reads a value written by {@link #write}.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static ServiceInstance read(byte[] value) {
        JsonNode root;
        try {
            root = JSON.readTree(new String(value, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object (expected: a Parley service instance object)");
        }
        String id = text(root, "id");
        String service = text(root, "service");
        JsonNode contractsNode = root.path("contracts");
        if (!contractsNode.isArray() || contractsNode.isEmpty()) {
            throw new IllegalArgumentException("contracts: " + abbreviate(contractsNode) + " (expected: a non-empty array)");
        }
        Set<ContractVersion> contracts = new HashSet<>();
        for (JsonNode c : contractsNode) {
            if (!c.isObject() || !c.path("contract").isTextual() || !c.path("major").canConvertToInt() || !c.path("major").isIntegralNumber()) {
                throw new IllegalArgumentException("contracts: " + abbreviate(c) + " (expected: {\"contract\": string, \"major\": integer})");
            }
            contracts.add(new ContractVersion(c.path("contract").asText(), c.path("major").asInt()));
        }
        Map<String, String> addresses = strings(root, "addresses");
        Map<String, String> metadata = strings(root, "metadata");
        JsonNode ready = root.path("ready");
        if (!ready.isBoolean()) {
            throw new IllegalArgumentException("ready: " + abbreviate(ready) + " (expected: true or false)");
        }
        return new ServiceInstance(id, service, contracts, addresses, metadata, ready.asBoolean());
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.path(field);
        if (!n.isTextual() || n.asText().isBlank()) {
            throw new IllegalArgumentException(field + ": " + abbreviate(n) + " (expected: a non-blank string)");
        }
        return n.asText();
    }

    private static Map<String, String> strings(JsonNode root, String field) {
        JsonNode n = root.path(field);
        if (n.isMissingNode()) {
            return Map.of();
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException(field + ": " + abbreviate(n) + " (expected: an object of strings)");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException(field + "." + e.getKey() + ": " + abbreviate(e.getValue()) + " (expected: a string)");
            }
            result.put(e.getKey(), e.getValue().asText());
        }
        return result;
    }

    private static String abbreviate(JsonNode n) {
        return n.isMissingNode() ? "missing" : EtcdClient.abbreviate(n.toString());
    }
}
