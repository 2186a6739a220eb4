package dev.parley.rpc;

import dev.parley.contract.Contract;

/** A contract nobody serves. */
@Contract(name = "ghost", version = "1.0")
public interface Ghost {
    record Boo(String text) {}

    Boo haunt(Boo request);
}
