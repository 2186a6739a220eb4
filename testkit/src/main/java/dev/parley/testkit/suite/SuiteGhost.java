package dev.parley.testkit.suite;

import dev.parley.contract.Contract;

/** A contract nobody serves in {@link TransportSuite}. */
@Contract(name = "suite-ghost", version = "1.0")
public interface SuiteGhost {

    /** A message. */
    record Boo(String text) {}

    /** Never answered: nobody serves this contract. */
    Boo haunt(Boo request);
}
