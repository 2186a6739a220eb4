package dev.parley.examples.taxi.pricing;

import dev.parley.examples.taxi.Contracts.Fare;
import dev.parley.examples.taxi.Contracts.FareRequest;
import dev.parley.examples.taxi.Contracts.Pricing;

/**
 * Version 1 of the pricing plugin: a base fare plus 1.50 per kilometre of straight-line
 * distance. It is packed into {@code pricing-1.0.0.jar} and loaded by {@code PluginTransport}
 * into a class loader of its own; the consumer only shares the contract's package.
 */
public final class DistanceFare implements Pricing {

    public DistanceFare() {}

    @Override
    public Fare quote(FareRequest request) {
        double km = kilometres(request);
        return new Fare(300 + Math.round(km * 150), "pricing plugin 1.0.0: 3.00 + 1.50/km");
    }

    static double kilometres(FareRequest request) {
        double dLat = request.to().lat() - request.from().lat();
        double dLon = (request.to().lon() - request.from().lon()) * Math.cos(Math.toRadians(request.from().lat()));
        return Math.sqrt(dLat * dLat + dLon * dLon) * 111.2;
    }
}
