package dev.parley.jwt;

import com.nimbusds.jose.proc.SecurityContext;
import org.jspecify.annotations.Nullable;

/**
 * What happened while one token was being processed, so that a nimbus failure can be counted
 * under its precise reason without parsing exception messages. One per call, never shared.
 */
final class Verification implements SecurityContext {
    boolean keysFound;
    boolean keysUnavailable;
    @Nullable Rejection claimsRejection;
}
