/**
 * Service discovery and client-side load balancing: instances register the contract versions
 * they serve ({@link dev.parley.discovery.ServiceAnnouncer}), clients resolve a contract and
 * major version to live instances ({@link dev.parley.discovery.ServiceDirectory}) and spread
 * their calls over them ({@link dev.parley.discovery.DiscoveryTransport},
 * {@link dev.parley.discovery.Balancer}), ejecting instances that fail. Registries plug in as
 * {@link dev.parley.discovery.DiscoveryBackend}s: {@link dev.parley.discovery.EmbeddedRegistry}
 * for one machine, {@link dev.parley.discovery.StaticBackend}, etcd and Kubernetes in their own
 * artifacts. See docs/discovery.md.
 */
@NullMarked
package dev.parley.discovery;

import org.jspecify.annotations.NullMarked;
