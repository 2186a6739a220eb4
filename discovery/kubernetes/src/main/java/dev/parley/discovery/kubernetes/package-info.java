/**
 * Service discovery on Kubernetes: {@link dev.parley.discovery.kubernetes.KubernetesDiscovery}
 * resolves contract versions to the pods behind Services by watching their EndpointSlices
 * through the Kubernetes API. See docs/discovery-kubernetes.md.
 */
@NullMarked
package dev.parley.discovery.kubernetes;

import org.jspecify.annotations.NullMarked;
