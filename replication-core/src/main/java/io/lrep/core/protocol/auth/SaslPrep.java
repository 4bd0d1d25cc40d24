package io.lrep.core.protocol.auth;

import java.text.Normalizer;
import java.util.Optional;

/**
 * SASLprep (RFC 4013, the stringprep profile of RFC 3454) as PostgreSQL applies it to SCRAM
 * passwords: an all-ASCII string is used as it is; otherwise non-ASCII spaces map to a space,
 * "commonly mapped to nothing" characters are dropped, the result is NFKC-normalized and
 * checked for prohibited characters and the bidirectional rule. When any step fails PostgreSQL
 * uses the password unchanged, so {@link #prepareOrKeep} does too.
 *
 * <p>Unassigned code points (table A.1) are judged by the JDK's Unicode version, not 3.2.
 */
public final class SaslPrep {

    private SaslPrep() {
    }

    /** The prepared password, or the password itself when SASLprep rejects it. */
    public static String prepareOrKeep(String password) {
        return prepare(password).orElse(password);
    }

    /** The prepared string, or empty when it contains prohibited characters or breaks the bidi rule. */
    public static Optional<String> prepare(String input) {
        if (isAscii(input)) {
            return Optional.of(input);
        }
        StringBuilder mapped = new StringBuilder(input.length());
        input.codePoints().forEach(cp -> {
            if (isNonAsciiSpace(cp)) {
                mapped.append(' ');
            } else if (!isMappedToNothing(cp)) {
                mapped.appendCodePoint(cp);
            }
        });
        if (mapped.length() == 0) {
            return Optional.empty();
        }
        String normalized = Normalizer.normalize(mapped, Normalizer.Form.NFKC);
        int[] cps = normalized.codePoints().toArray();
        boolean hasRandAL = false;
        boolean hasL = false;
        for (int cp : cps) {
            if (isProhibited(cp) || Character.getType(cp) == Character.UNASSIGNED) {
                return Optional.empty();
            }
            byte dir = Character.getDirectionality(cp);
            hasRandAL |= dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT
                    || dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
            hasL |= dir == Character.DIRECTIONALITY_LEFT_TO_RIGHT;
        }
        if (hasRandAL && (hasL || !isRandAL(cps[0]) || !isRandAL(cps[cps.length - 1]))) {
            return Optional.empty();
        }
        return Optional.of(normalized);
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static boolean isRandAL(int cp) {
        byte dir = Character.getDirectionality(cp);
        return dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT || dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
    }

    /** RFC 3454 table C.1.2. */
    static boolean isNonAsciiSpace(int cp) {
        return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** RFC 3454 table B.1. */
    static boolean isMappedToNothing(int cp) {
        return cp == 0x00AD || cp == 0x034F || cp == 0x1806 || (cp >= 0x180B && cp <= 0x180D)
                || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF;
    }

    /** RFC 3454 tables C.1.2, C.2.1, C.2.2, C.3 to C.9. */
    static boolean isProhibited(int cp) {
        return isNonAsciiSpace(cp)
                || cp <= 0x1F || cp == 0x7F                                          // C.2.1
                || (cp >= 0x80 && cp <= 0x9F) || cp == 0x06DD || cp == 0x070F        // C.2.2
                || cp == 0x180E || cp == 0x200C || cp == 0x200D || cp == 0x2028 || cp == 0x2029
                || (cp >= 0x2060 && cp <= 0x2063) || (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF
                || (cp >= 0xFFF9 && cp <= 0xFFFC) || (cp >= 0x1D173 && cp <= 0x1D17A)
                || (cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xF0000 && cp <= 0xFFFFD)    // C.3
                || (cp >= 0x100000 && cp <= 0x10FFFD)
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE          // C.4
                || (cp >= 0xD800 && cp <= 0xDFFF)                                    // C.5
                || cp == 0xFFFD                                                      // C.6
                || (cp >= 0x2FF0 && cp <= 0x2FFB)                                    // C.7
                || cp == 0x0340 || cp == 0x0341 || cp == 0x200E || cp == 0x200F      // C.8
                || (cp >= 0x202A && cp <= 0x202E)
                || cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F);              // C.9
    }
}
