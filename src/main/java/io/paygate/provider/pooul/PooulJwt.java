package io.paygate.provider.pooul;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.util.Set;

/**
 * Pooul API v2 envelopes: a compact JWS, header {@code {"alg":"RS256","typ":"JWT"}}, payload the
 * JSON of the request, answer or notification (nimbus-jose-jwt does the JWS). Verification accepts
 * RS256 only, so a token that names {@code none} or an HMAC algorithm is refused before any key is
 * used.
 */
public final class PooulJwt {
    private static final JWSHeader HEADER = new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).build();
    private static final Set<String> CRITICAL_NONE = Set.of();

    /** A token that is not a valid RS256 JWS by the expected key. The message never quotes it. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    private PooulJwt() {
    }

    public static String sign(byte[] payloadJson, RSAPrivateKey key) {
        JWSObject jws = new JWSObject(HEADER, new Payload(payloadJson));
        try {
            jws.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("RS256 signing failed: " + e.getClass().getSimpleName(), e);
        }
        return jws.serialize();
    }

    /** The payload bytes of a token whose RS256 signature verifies with {@code key}. */
    public static byte[] verify(String compact, RSAPublicKey key) throws Invalid {
        JWSObject jws;
        try {
            jws = JWSObject.parse(compact.trim());
        } catch (ParseException e) {
            throw new Invalid("not a compact JWS");
        }
        if (!JWSAlgorithm.RS256.equals(jws.getHeader().getAlgorithm())) {
            throw new Invalid("signed with " + jws.getHeader().getAlgorithm() + ", not RS256");
        }
        try {
            if (!jws.verify(new RSASSAVerifier(key, CRITICAL_NONE))) {
                throw new Invalid("RS256 signature does not verify with the platform public key");
            }
        } catch (JOSEException e) {
            throw new Invalid("RS256 signature could not be checked (" + e.getClass().getSimpleName() + ")");
        }
        return jws.getPayload().toBytes();
    }
}
