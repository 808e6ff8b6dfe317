package io.paygate.sandbox.wechat;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A business result of one API call: SUCCESS with the endpoint's fields, or FAIL with an err_code
 * (and, for some endpoints such as reverse, fields that WeChat sends on failure too).
 */
record SimOutcome(String errCode, String errCodeDes, Map<String, String> fields) {

    static SimOutcome success(Map<String, String> fields) {
        return new SimOutcome(null, null, fields);
    }

    static SimOutcome failure(String errCode, String errCodeDes) {
        return new SimOutcome(errCode, errCodeDes, Map.of());
    }

    static SimOutcome failure(String errCode, String errCodeDes, Map<String, String> fields) {
        return new SimOutcome(errCode, errCodeDes, fields);
    }

    static SimOutcome missingField(String name) {
        return failure("PARAM_ERROR", "缺少参数" + name);
    }

    static SimOutcome invalidField(String name) {
        return failure("PARAM_ERROR", name + "参数格式错误");
    }

    /** The same outcome with one more field (kept when a failure carries it, as recall does). */
    SimOutcome with(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(fields);
        more.put(name, value);
        return new SimOutcome(errCode, errCodeDes, more);
    }
}
