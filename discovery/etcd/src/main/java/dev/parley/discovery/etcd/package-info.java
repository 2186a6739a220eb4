/**
 * Service discovery on etcd: {@link dev.parley.discovery.etcd.EtcdDiscovery} registers instances
 * under leases and watches them per contract version, through etcd's v3 JSON gateway. See
 * docs/discovery-etcd.md.
 */
@NullMarked
package dev.parley.discovery.etcd;

import org.jspecify.annotations.NullMarked;
