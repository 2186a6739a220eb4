package dev.parley.discovery;

/** Starting embedded registries in tests. */
final class Registries {
    private Registries() {}

    /** Starts a registry on {@code port} again, retrying while the old socket is still being released. */
    static EmbeddedRegistry restartOn(int port) throws InterruptedException {
        RuntimeException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                return EmbeddedRegistry.builder().port(port).start();
            } catch (RuntimeException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("could not restart the registry on port " + port, last);
    }
}
