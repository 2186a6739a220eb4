package com.example.lib;

/** The consumer's own copy of the library the plugins bundle: plugins must never see it. */
public final class Greeting {
    private Greeting() {}

    public static String describe() {
        return "host";
    }
}
