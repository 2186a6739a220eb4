package dev.parley.cli;

/**
 * Bad input to a subcommand: a missing or unreadable file, a file that is not a contract
 * descriptor, an unknown class. {@link ParleyCommand#commandLine()} prints the message as one line
 * and exits with {@value ParleyCommand#BAD_INPUT}, so the message must say what was wrong with
 * which file or name, and what was expected.
 */
final class InputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InputException(String message) {
        super(message);
    }

    InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
