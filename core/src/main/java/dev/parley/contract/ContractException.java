package dev.parley.contract;

/**
 * A contract interface or one of its messages breaks Parley's rules. Thrown when the contract
 * is first described (at start-up), with a message that names the method or field and what is
 * wrong, e.g. {@code TripService.cancel: a @OneWay method must return void, not TripView}.
 */
public final class ContractException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ContractException(String message) {
        super(message);
    }

    public ContractException(String message, Throwable cause) {
        super(message, cause);
    }
}
