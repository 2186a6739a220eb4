/**
 * Parley's binary RPC transport: {@link dev.parley.rpc.RpcTransport}, a framed, multiplexed
 * protocol over TCP (Netty) for request/response, async response and one-way calls. The wire
 * format is specified in docs/rpc-protocol.md.
 */
@NullMarked
package dev.parley.rpc;

import org.jspecify.annotations.NullMarked;
