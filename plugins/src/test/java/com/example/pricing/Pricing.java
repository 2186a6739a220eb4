package com.example.pricing;

import dev.parley.contract.Contract;

/** The test contract that plugins implement. Its package is shared with the plugins. */
@Contract(name = "pricing", version = "1.2")
public interface Pricing {

    record QuoteRequest(String item) {}

    /** {@code pricedBy} is the plugin's label, {@code library} what its bundled library says. */
    record Quote(String item, String pricedBy, String library) {}

    Quote quote(QuoteRequest request);

    /** Blocks in the plugin until {@link Gate#release()}. */
    Quote slowQuote(QuoteRequest request);

    /** Throws an Error inside the plugin. */
    Quote explode(QuoteRequest request);
}
