package dev.parley.discovery;

import java.util.Objects;

/**
 * What clients resolve: a contract name and one major version ({@code trips}, 1). A v1 client
 * resolves {@code trips/v1} and never lands on an instance that serves only {@code trips/v2}.
 */
public record ContractVersion(String contract, int major) {

    public ContractVersion {
        Objects.requireNonNull(contract, "contract");
        if (contract.isBlank() || major < 0) {
            throw new IllegalArgumentException("contract version: '" + contract + "/v" + major
                    + "' (expected: a non-blank contract name and a major version >= 0)");
        }
    }

    /** {@code trips/v1}. */
    @Override
    public String toString() {
        return contract + "/v" + major;
    }
}
