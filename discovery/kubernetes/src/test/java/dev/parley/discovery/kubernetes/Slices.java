package dev.parley.discovery.kubernetes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** EndpointSlices as the Kubernetes API writes them (discovery.k8s.io/v1). */
final class Slices {

    private Slices() {}

    static ObjectNode slice(String name, String service, Map<String, Integer> ports, ObjectNode... endpoints) {
        ObjectNode slice = FakeKubernetesApi.JSON.createObjectNode().put("kind", "EndpointSlice").put("apiVersion", "discovery.k8s.io/v1");
        ObjectNode metadata = slice.putObject("metadata").put("name", name).put("namespace", "shop");
        metadata.putObject("labels").put("kubernetes.io/service-name", service)
                .put("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io");
        slice.put("addressType", "IPv4");
        var portArray = slice.putArray("ports");
        ports.forEach((portName, port) -> portArray.addObject().put("name", portName).put("port", port).put("protocol", "TCP"));
        var endpointArray = slice.putArray("endpoints");
        for (ObjectNode e : endpoints) {
            endpointArray.add(e);
        }
        return slice;
    }

    static ObjectNode endpoint(String pod, String ip, boolean ready, String zone) {
        ObjectNode e = FakeKubernetesApi.JSON.createObjectNode();
        e.putArray("addresses").add(ip);
        e.putObject("conditions").put("ready", ready).put("serving", ready).put("terminating", false);
        e.putObject("targetRef").put("kind", "Pod").put("namespace", "shop").put("name", pod);
        e.put("nodeName", "node-" + zone);
        e.put("zone", zone);
        return e;
    }
}
