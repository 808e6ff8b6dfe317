package io.paygate.sandbox.wechat;

import java.util.Optional;

/**
 * Faults the sandbox user asks for, so gateway tests can provoke what the real WeChat does on a
 * bad day: slow answers (read timeouts), business failures such as SYSTEMERROR, and reverses that
 * must be called again (recall=Y). Each fault lasts for a given number of API calls.
 */
final class SimFaults {

    /** What is still planned; reported back to the user by the control API. */
    record Plan(long delayMs, int delaysLeft, String failWith, int failuresLeft, int recallsLeft) {
    }

    private long delayMs;
    private int delaysLeft;
    private String failWith;
    private int failuresLeft;
    private int recallsLeft;

    synchronized void planDelay(long millis, int calls) {
        delayMs = millis;
        delaysLeft = calls;
    }

    synchronized void planFailure(String errCode, int calls) {
        failWith = errCode;
        failuresLeft = calls;
    }

    /** The next {@code calls} reverses answer SYSTEMERROR with recall=Y, without reversing. */
    synchronized void planRecalls(int calls) {
        recallsLeft = calls;
    }

    synchronized void clear() {
        planDelay(0, 0);
        planFailure(null, 0);
        planRecalls(0);
    }

    synchronized Plan plan() {
        return new Plan(delayMs, delaysLeft, failWith, failuresLeft, recallsLeft);
    }

    /** Uses up one planned reverse failure: true when this reverse must answer recall=Y. */
    synchronized boolean takeRecall() {
        if (recallsLeft == 0) {
            return false;
        }
        recallsLeft--;
        return true;
    }

    /** Uses up one planned delay: how long this call must wait, 0 when none is planned. */
    synchronized long takeDelay() {
        if (delaysLeft == 0) {
            return 0;
        }
        delaysLeft--;
        return delayMs;
    }

    /** Uses up one planned failure: the err_code this call must answer with, if any. */
    synchronized Optional<String> takeFailure() {
        if (failuresLeft == 0) {
            return Optional.empty();
        }
        failuresLeft--;
        return Optional.of(failWith);
    }
}
