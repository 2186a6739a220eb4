package dev.parley.bench.rpc;

import dev.parley.contract.Contract;
import dev.parley.contract.OneWay;
import java.util.concurrent.CompletionStage;

/** The RPC comparison's contract: a 100-byte payload echoed back, and the same payload as a one-way notification. */
@Contract(name = "rpc-bench", version = "1.0")
public interface RpcEcho {

    /** The payload: {@link RpcBench#PAYLOAD_BYTES} opaque bytes (a CBOR byte string on the wire). */
    record Blob(byte[] data) {}

    CompletionStage<Blob> echo(Blob request);

    @OneWay
    void notify(Blob request);
}
