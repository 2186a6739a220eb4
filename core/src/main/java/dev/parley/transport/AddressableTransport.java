package dev.parley.transport;

/**
 * A transport whose client end can reach any instance by its network address, not only the
 * targets it was built with: service discovery picks an instance per call and asks the
 * transport for a channel to that instance's address.
 *
 * <p>Addresses are in the transport's own notation, the same one its builder's
 * {@code target(..)} takes: a base URL such as {@code http://10.0.0.7:8080} for HTTP,
 * {@code host:port} for the binary RPC transport.
 */
public interface AddressableTransport extends Transport {

    /**
     * A channel to the instance serving {@code contract} at {@code address}. Channels to the
     * same address share their connections; cheap to call repeatedly.
     *
     * @throws IllegalArgumentException when {@code address} is not in this transport's notation
     */
    ClientChannel connect(Class<?> contract, String address);

    /**
     * The address clients reach this transport's server at, in the notation of
     * {@link #connect(Class, String)}, with {@code advertisedHost} in place of the bind address
     * (a server bound to {@code 0.0.0.0} is reached through one of the machine's addresses).
     *
     * @throws IllegalStateException when this transport has no server
     */
    String serverAddress(String advertisedHost);
}
