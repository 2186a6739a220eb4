package dev.parley.examples.taxi.pricing;

import dev.parley.examples.taxi.Contracts.Fare;
import dev.parley.examples.taxi.Contracts.FareRequest;
import dev.parley.examples.taxi.Contracts.Pricing;

/**
 * Version 2 of the pricing plugin: a higher base fare and 2.10 per kilometre. Dropping
 * {@code pricing-2.0.0.jar} into the watched folder makes Trip Management quote with it from
 * the next call, without a restart.
 */
public final class PeakFare implements Pricing {

    public PeakFare() {}

    @Override
    public Fare quote(FareRequest request) {
        double dLat = request.to().lat() - request.from().lat();
        double dLon = (request.to().lon() - request.from().lon()) * Math.cos(Math.toRadians(request.from().lat()));
        double km = Math.sqrt(dLat * dLat + dLon * dLon) * 111.2;
        return new Fare(450 + Math.round(km * 210), "pricing plugin 2.0.0: 4.50 + 2.10/km");
    }
}
