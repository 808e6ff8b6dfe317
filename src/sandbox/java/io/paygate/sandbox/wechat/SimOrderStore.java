package io.paygate.sandbox.wechat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.sandbox.wechat.SimRefund.RefundStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The simulated WeChat's orders, keyed by merchant and out_trade_no, and their refunds, keyed by
 * merchant and out_refund_no. When given a state file, the store loads it once and rewrites it
 * atomically after every change, so a restarted sandbox still knows what a gateway did before.
 * Every check-and-change runs under the store's lock, so two concurrent refunds cannot both fit
 * into the same remaining amount.
 */
final class SimOrderStore {

    private record Key(String mchId, String number) {
    }

    /** The state file's layout; version 1 files (orders only) are read as having no refunds. */
    private record StateFile(@JsonProperty("version") int version,
                             @JsonProperty("orders") List<SimOrder> orders,
                             @JsonProperty("refunds") List<SimRefund> refunds) {
    }

    /** What a refund request came to; {@code refund} is the stored one (new or repeated). */
    record RefundPlacement(Kind kind, SimRefund refund, long refundable) {
        enum Kind { PLACED, REPEATED, NUMBER_REUSED, EXCEEDS, ORDER_NOT_PAID }
    }

    private static final int STATE_VERSION = 2;

    private final Map<Key, SimOrder> orders = new LinkedHashMap<>();
    private final Map<Key, SimRefund> refunds = new LinkedHashMap<>();
    private final Path stateFile;
    private final ObjectMapper json;

    private SimOrderStore(Path stateFile, ObjectMapper json) {
        this.stateFile = stateFile;
        this.json = json;
    }

    /** A store backed by {@code stateFile} (loaded now if it exists), or memory only when null. */
    static SimOrderStore open(Path stateFile, ObjectMapper json) throws IOException {
        SimOrderStore store = new SimOrderStore(stateFile, json);
        if (stateFile != null && Files.exists(stateFile)) {
            // A corrupt file fails the start rather than silently forgetting orders.
            StateFile state = json.readValue(stateFile.toFile(), StateFile.class);
            if (state.orders() != null) {
                state.orders().forEach(order -> store.orders.put(keyOf(order), order));
            }
            if (state.refunds() != null) {
                state.refunds().forEach(refund -> store.refunds.put(keyOf(refund), refund));
            }
        }
        return store;
    }

    synchronized Optional<SimOrder> find(String mchId, String outTradeNo) {
        return Optional.ofNullable(orders.get(new Key(mchId, outTradeNo)));
    }

    synchronized Optional<SimOrder> findByTransactionId(String mchId, String transactionId) {
        return orders.values().stream()
                .filter(order -> order.mchId().equals(mchId) && transactionId.equals(order.transactionId()))
                .findFirst();
    }

    /** Orders with this out_trade_no at any merchant: the control API lets a user omit mch_id. */
    synchronized List<SimOrder> findAtAnyMerchant(String outTradeNo) {
        return orders.values().stream()
                .filter(order -> order.outTradeNo().equals(outTradeNo))
                .toList();
    }

    /**
     * Stores {@code order} unless its merchant already has that out_trade_no; check and insert are
     * one step so two concurrent unified orders cannot both create it.
     *
     * @return the order that was already there, or empty when {@code order} was stored
     */
    synchronized Optional<SimOrder> placeIfAbsent(SimOrder order) {
        Key key = keyOf(order);
        SimOrder existing = orders.putIfAbsent(key, order);
        if (existing == null) {
            saveOrUndo(() -> orders.remove(key));
        }
        return Optional.ofNullable(existing);
    }

    /** Applies {@code change} to the stored order atomically and returns the result. */
    synchronized SimOrder update(SimOrder order, UnaryOperator<SimOrder> change) {
        Key key = keyOf(order);
        SimOrder current = orders.get(key);
        if (current == null) {
            throw new IllegalStateException("order vanished: " + order.outTradeNo());
        }
        SimOrder changed = change.apply(current);
        if (!changed.equals(current)) {
            orders.put(key, changed);
            saveOrUndo(() -> orders.put(key, current));
        }
        return changed;
    }

    // ---- refunds ----------------------------------------------------------------------------

    /**
     * Stores a new refund if its order is paid and the refunds that are not closed, this one
     * included, stay within the order's total_fee. The same out_refund_no again with the same
     * order and amounts is the same refund (REPEATED); with other terms, NUMBER_REUSED.
     */
    synchronized RefundPlacement placeRefund(SimRefund candidate) {
        Key key = keyOf(candidate);
        SimRefund existing = refunds.get(key);
        if (existing != null) {
            return new RefundPlacement(existing.sameTermsAs(candidate)
                    ? RefundPlacement.Kind.REPEATED : RefundPlacement.Kind.NUMBER_REUSED, existing, 0);
        }
        SimOrder order = orders.get(new Key(candidate.mchId(), candidate.outTradeNo()));
        if (order == null || !order.tradeState().paid()) {
            return new RefundPlacement(RefundPlacement.Kind.ORDER_NOT_PAID, candidate, 0);
        }
        long refundable = order.totalFee() - reservedFor(candidate.mchId(), candidate.outTradeNo());
        if (candidate.refundFee() > refundable) {
            return new RefundPlacement(RefundPlacement.Kind.EXCEEDS, candidate, refundable);
        }
        refunds.put(key, candidate);
        saveOrUndo(() -> refunds.remove(key));
        return new RefundPlacement(RefundPlacement.Kind.PLACED, candidate, refundable - candidate.refundFee());
    }

    /**
     * Moves a refund to a final state; a refund that succeeds moves its order to REFUND in the
     * same step (and the same file write).
     */
    synchronized SimRefund finishRefund(SimRefund refund, RefundStatus status, String at) {
        Key key = keyOf(refund);
        SimRefund current = refunds.get(key);
        if (current == null) {
            throw new IllegalStateException("refund vanished: " + refund.outRefundNo());
        }
        SimRefund finished = current.finished(status, at);
        if (finished.equals(current)) {
            return current;
        }
        Key orderKey = new Key(current.mchId(), current.outTradeNo());
        SimOrder order = orders.get(orderKey);
        SimOrder changedOrder = status == RefundStatus.SUCCESS && order != null ? order.refunded() : order;
        refunds.put(key, finished);
        if (changedOrder != null) {
            orders.put(orderKey, changedOrder);
        }
        saveOrUndo(() -> {
            refunds.put(key, current);
            if (order != null) {
                orders.put(orderKey, order);
            }
        });
        return finished;
    }

    synchronized SimRefund updateRefund(SimRefund refund, UnaryOperator<SimRefund> change) {
        Key key = keyOf(refund);
        SimRefund current = refunds.get(key);
        if (current == null) {
            throw new IllegalStateException("refund vanished: " + refund.outRefundNo());
        }
        SimRefund changed = change.apply(current);
        if (!changed.equals(current)) {
            refunds.put(key, changed);
            saveOrUndo(() -> refunds.put(key, current));
        }
        return changed;
    }

    synchronized Optional<SimRefund> findRefund(String mchId, String outRefundNo) {
        return Optional.ofNullable(refunds.get(new Key(mchId, outRefundNo)));
    }

    synchronized Optional<SimRefund> findRefundById(String mchId, String refundId) {
        return refunds.values().stream()
                .filter(refund -> refund.mchId().equals(mchId) && refund.refundId().equals(refundId))
                .findFirst();
    }

    /** Refunds with this out_refund_no at any merchant, for the control API. */
    synchronized List<SimRefund> findRefundAtAnyMerchant(String outRefundNo) {
        return refunds.values().stream().filter(refund -> refund.outRefundNo().equals(outRefundNo)).toList();
    }

    /** The order's refunds in the order they were requested. */
    synchronized List<SimRefund> refundsOf(String mchId, String outTradeNo) {
        return refunds.values().stream()
                .filter(refund -> refund.mchId().equals(mchId) && refund.outTradeNo().equals(outTradeNo))
                .toList();
    }

    synchronized List<SimRefund> processingRefunds() {
        return refunds.values().stream().filter(refund -> refund.refundStatus() == RefundStatus.PROCESSING).toList();
    }

    /** What the order's refunds hold back: every refund that is not closed counts. */
    private long reservedFor(String mchId, String outTradeNo) {
        return refunds.values().stream()
                .filter(refund -> refund.mchId().equals(mchId) && refund.outTradeNo().equals(outTradeNo))
                .filter(refund -> refund.refundStatus() != RefundStatus.REFUNDCLOSE)
                .mapToLong(SimRefund::refundFee)
                .sum();
    }

    /** Memory and file must not disagree, so a change that cannot be written is taken back. */
    private void saveOrUndo(Runnable undo) {
        try {
            save();
        } catch (UncheckedIOException e) {
            undo.run();
            throw e;
        }
    }

    private void save() {
        if (stateFile == null) {
            return;
        }
        try {
            Path directory = stateFile.toAbsolutePath().getParent();
            Files.createDirectories(directory);
            // Write beside the target and move over it, so a crash never leaves half a file.
            Path temp = Files.createTempFile(directory, stateFile.getFileName().toString(), ".tmp");
            try {
                json.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), new StateFile(STATE_VERSION,
                        new ArrayList<>(orders.values()), new ArrayList<>(refunds.values())));
                Files.move(temp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write sandbox state file " + stateFile, e);
        }
    }

    private static Key keyOf(SimOrder order) {
        return new Key(order.mchId(), order.outTradeNo());
    }

    private static Key keyOf(SimRefund refund) {
        return new Key(refund.mchId(), refund.outRefundNo());
    }
}
