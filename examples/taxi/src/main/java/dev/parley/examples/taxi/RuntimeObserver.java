package dev.parley.examples.taxi;

import dev.parley.CallListener;
import dev.parley.Parley;

/**
 * Something that watches the application's runtimes, such as the operations console
 * ({@code parley-console}'s {@code OperationsConsole} fits this shape): it gives each runtime a
 * listener when the runtime is built (a runtime's listeners are fixed then), and is shown each
 * runtime with the contracts it serves once it serves them.
 */
public interface RuntimeObserver {

    /** Observes nothing. */
    RuntimeObserver NONE = new RuntimeObserver() {
        @Override
        public CallListener listener(String service) {
            return event -> { };
        }

        @Override
        public void observe(Parley runtime, Class<?>... servedContracts) {}
    };

    /** The listener for the calls of a runtime of {@code service}. */
    CallListener listener(String service);

    /** A runtime, built with {@link #listener}, and the contracts it serves (none for a client-only runtime). */
    void observe(Parley runtime, Class<?>... servedContracts);
}
