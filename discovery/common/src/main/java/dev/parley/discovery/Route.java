package dev.parley.discovery;

import dev.parley.transport.ClientChannel;

/** One instance as one contract's channel reaches it: the shared {@link Endpoint} state and the channel to its address. */
record Route(Endpoint endpoint, String address, ClientChannel channel) {}
