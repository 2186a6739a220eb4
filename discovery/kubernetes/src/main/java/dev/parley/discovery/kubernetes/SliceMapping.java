package dev.parley.discovery.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.discovery.ContractVersion;
import dev.parley.discovery.ServiceInstance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one EndpointSlice into service instances: one per endpoint (a pod), its first address
 * combined with each named port that has a {@link KubernetesDiscovery.PortMapping} into the
 * transport addresses, readiness from {@code conditions.ready} (unset means ready, as the API
 * documents), zone and node into metadata. Parts that do not have the documented shape are
 * skipped with a log line; they never fail the watch.
 */
final class SliceMapping {

    private static final Logger log = LoggerFactory.getLogger(SliceMapping.class);
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]{2,45}");
    private static final Pattern FQDN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    private static final int MAX_NAME = 253;

    private SliceMapping() {}

    static List<ServiceInstance> instances(JsonNode slice, ContractVersion version, String service, KubernetesDiscovery.Settings settings) {
        String name = slice.path("metadata").path("name").asText("?");
        String addressType = slice.path("addressType").asText("");
        if (!addressType.equals(settings.addressType())) {
            return List.of();
        }
        Map<String, Integer> ports = new LinkedHashMap<>();
        JsonNode portsNode = slice.path("ports");
        if (!portsNode.isMissingNode() && !portsNode.isNull() && !portsNode.isArray()) {
            log.warn("kubernetes: EndpointSlice {}: ports {} (expected: an array); slice skipped", abbreviate(name), abbreviate(portsNode.toString()));
            return List.of();
        }
        for (JsonNode p : portsNode) {
            String portName = p.path("name").asText("");
            JsonNode number = p.path("port");
            if (!number.isIntegralNumber() || number.asInt() < 1 || number.asInt() > 65535) {
                log.warn("kubernetes: EndpointSlice {}: port {} (expected: {\"name\": string, \"port\": 1..65535}); port skipped",
                        abbreviate(name), abbreviate(p.toString()));
                continue;
            }
            if (settings.ports().containsKey(portName)) {
                ports.put(portName, number.asInt());
            }
        }
        JsonNode endpoints = slice.path("endpoints");
        if (!endpoints.isArray()) {
            if (!endpoints.isMissingNode() && !endpoints.isNull()) {
                log.warn("kubernetes: EndpointSlice {}: endpoints {} (expected: an array); slice skipped", abbreviate(name), abbreviate(endpoints.toString()));
            }
            return List.of();
        }
        if (ports.isEmpty()) {
            if (!endpoints.isEmpty()) {
                log.warn("kubernetes: EndpointSlice {} has no port named {} (expected: a named port of the Service); its endpoints are skipped",
                        abbreviate(name), settings.ports().keySet());
            }
            return List.of();
        }
        List<ServiceInstance> result = new ArrayList<>();
        for (JsonNode endpoint : endpoints) {
            JsonNode addresses = endpoint.path("addresses");
            String address = addresses.isArray() && !addresses.isEmpty() ? addresses.get(0).asText("") : "";
            if (!validAddress(address, addressType)) {
                log.warn("kubernetes: EndpointSlice {}: endpoint address {} (expected: an {} address); endpoint skipped",
                        abbreviate(name), abbreviate(addresses.toString()), addressType);
                continue;
            }
            String pod = endpoint.path("targetRef").path("name").asText("");
            String id = !pod.isBlank() && pod.length() <= MAX_NAME ? pod : address;
            JsonNode ready = endpoint.path("conditions").path("ready");
            String host = addressType.equals("IPv6") ? "[" + address + "]" : address;
            Map<String, String> transportAddresses = new LinkedHashMap<>();
            ports.forEach((portName, port) -> {
                KubernetesDiscovery.PortMapping mapping = settings.ports().get(portName);
                transportAddresses.put(mapping.transport(), mapping.address().replace("{host}", host).replace("{port}", Integer.toString(port)));
            });
            Map<String, String> metadata = new LinkedHashMap<>();
            text(endpoint, "zone").ifPresent(zone -> metadata.put(ServiceInstance.ZONE, zone));
            text(endpoint, "nodeName").ifPresent(node -> metadata.put("node", node));
            if (!pod.isBlank()) {
                metadata.put("pod", id);
            }
            metadata.put("namespace", settings.namespace());
            result.add(new ServiceInstance(id, service, Set.of(version), transportAddresses, metadata, !ready.isBoolean() || ready.asBoolean()));
        }
        return result;
    }

    private static java.util.Optional<String> text(JsonNode endpoint, String field) {
        JsonNode n = endpoint.path(field);
        return n.isTextual() && !n.asText().isBlank() && n.asText().length() <= MAX_NAME ? java.util.Optional.of(n.asText()) : java.util.Optional.empty();
    }

    private static boolean validAddress(String address, String addressType) {
        return switch (addressType) {
            case "IPv4" -> IPV4.matcher(address).matches();
            case "IPv6" -> IPV6.matcher(address).matches() && address.contains(":");
            default -> address.length() <= MAX_NAME && FQDN.matcher(address).matches();
        };
    }

    private static String abbreviate(String s) {
        return ApiClient.abbreviate(s);
    }
}
