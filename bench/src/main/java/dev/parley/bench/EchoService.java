package dev.parley.bench;

/** The implementation every pipeline benchmark ends in; {@code direct} calls it without Parley. */
public final class EchoService implements Echo {

    @Override
    public Pong ping(Ping request) {
        return new Pong(request.id(), request.seq() + 1);
    }
}
