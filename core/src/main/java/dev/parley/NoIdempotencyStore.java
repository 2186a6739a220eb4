package dev.parley;

/** {@link IdempotencyStore#none()}. */
enum NoIdempotencyStore implements IdempotencyStore {
    INSTANCE;

    @Override
    public boolean claim(String scope, String messageId) {
        return true;
    }

    @Override
    public void release(String scope, String messageId) {}

    @Override
    public long duplicates() {
        return 0;
    }

    @Override
    public String toString() {
        return "IdempotencyStore.none()";
    }
}
