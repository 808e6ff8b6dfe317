package io.paygate.sandbox.wechat;

import java.util.regex.Pattern;

/**
 * What the simulated payer's wallet does with a barcode ({@code auth_code}) scanned for
 * {@code /pay/micropay}. Deterministic, so a gateway test picks the outcome by picking the code:
 *
 * <table>
 *   <caption>auth_code outcomes</caption>
 *   <tr><th>auth_code</th><th>answer</th><th>order afterwards</th></tr>
 *   <tr><td>not 18 digits, or not starting 10..15</td><td>FAIL AUTH_CODE_INVALID</td><td>none</td></tr>
 *   <tr><td>ends 0000</td><td>FAIL USERPAYING</td><td>USERPAYING; paid at the 2nd
 *       {@code /pay/orderquery} (the payer typed the password), or by {@code /sandbox/wechat/pay}</td></tr>
 *   <tr><td>ends 1111</td><td>FAIL USERPAYING</td><td>USERPAYING until {@code /sandbox/wechat/pay},
 *       {@code /sandbox/wechat/close} or a reverse</td></tr>
 *   <tr><td>ends 2222</td><td>FAIL SYSTEMERROR</td><td>SUCCESS (the charge went through; only a
 *       query tells)</td></tr>
 *   <tr><td>ends 3333</td><td>FAIL NOTENOUGH</td><td>PAYERROR; a micropay with the same
 *       out_trade_no and another code tries again</td></tr>
 *   <tr><td>ends 4444</td><td>FAIL AUTHCODEEXPIRE</td><td>none</td></tr>
 *   <tr><td>ends 5555</td><td>FAIL SYSTEMERROR</td><td>none (a query answers ORDERNOTEXIST)</td></tr>
 *   <tr><td>any other valid code, e.g. 134567890123456789</td><td>SUCCESS, paid</td><td>SUCCESS</td></tr>
 * </table>
 */
enum SimAuthCode {
    INVALID, PAID, USERPAYING_THEN_PAID, USERPAYING_FOREVER, SYSTEMERROR_BUT_PAID, NOTENOUGH, EXPIRED,
    SYSTEMERROR_NO_ORDER;

    /** How many order queries the payer of a USERPAYING_THEN_PAID code needs to type the password. */
    static final int QUERIES_UNTIL_PAID = 2;

    /** WeChat's barcodes: 18 digits whose first two are 10 to 15. */
    private static final Pattern VALID = Pattern.compile("1[0-5][0-9]{16}");

    static SimAuthCode of(String authCode) {
        if (authCode == null || !VALID.matcher(authCode).matches()) {
            return INVALID;
        }
        return switch (authCode.substring(14)) {
            case "0000" -> USERPAYING_THEN_PAID;
            case "1111" -> USERPAYING_FOREVER;
            case "2222" -> SYSTEMERROR_BUT_PAID;
            case "3333" -> NOTENOUGH;
            case "4444" -> EXPIRED;
            case "5555" -> SYSTEMERROR_NO_ORDER;
            default -> PAID;
        };
    }
}
