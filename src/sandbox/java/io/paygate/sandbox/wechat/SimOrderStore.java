package io.paygate.sandbox.wechat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.sandbox.wechat.SimRefund.RefundStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The simulated WeChat's orders, keyed by merchant and out_trade_no, and their refunds, keyed by
 * merchant and out_refund_no. When given a state file, the store replays it once at the start and
 * then appends one JSON line per change (the changed order and/or refund), so a restarted sandbox
 * still knows what a gateway did before and a change costs the same with 10 or 100,000 orders.
 * When the file holds more than {@value #COMPACT_FACTOR} lines per live order and refund, it is
 * rewritten with one line each (beside the target and moved over it), which keeps the cost per
 * change constant on average. The file is written through to the operating system on every change
 * (a killed sandbox loses nothing) but not fsynced: the sandbox is a test double, not a ledger. A
 * last line cut short by a crash is ignored; any other unreadable line fails the start rather than
 * silently forgetting orders. Version 1 and 2 files (one pretty-printed JSON document) are read
 * and rewritten in the line format on open.
 * Every check-and-change runs under the store's lock, so two concurrent refunds cannot both fit
 * into the same remaining amount.
 */
final class SimOrderStore implements AutoCloseable {

    private record Key(String mchId, String number) {
    }

    /** The state file's layout; version 1 files (orders only) are read as having no refunds. */
    private record StateFile(@JsonProperty("version") int version,
                             @JsonProperty("orders") List<SimOrder> orders,
                             @JsonProperty("refunds") List<SimRefund> refunds) {
    }

    /** The first line of a version 3 file. */
    private record Header(@JsonProperty("version") int version) {
    }

    /** One line after the header: an order, a refund, or both when they changed in one step. */
    private record Entry(@JsonProperty("order") SimOrder order, @JsonProperty("refund") SimRefund refund) {
    }

    /** What a refund request came to; {@code refund} is the stored one (new or repeated). */
    record RefundPlacement(Kind kind, SimRefund refund, long refundable) {
        enum Kind { PLACED, REPEATED, NUMBER_REUSED, EXCEEDS, ORDER_NOT_PAID }
    }

    private static final int STATE_VERSION = 3;
    /** Lines per live order and refund above which the file is compacted. */
    static final int COMPACT_FACTOR = 4;
    /** Files this small are never compacted: rewriting them would save nothing. */
    private static final int COMPACT_MIN_LINES = 1_000;

    private final Map<Key, SimOrder> orders = new LinkedHashMap<>();
    private final Map<Key, SimRefund> refunds = new LinkedHashMap<>();
    /**
     * (mch_id, transaction_id) to the order's key, so a query by transaction_id does not scan every
     * order. Entries are never removed: a lookup checks the order still carries that id.
     */
    private final Map<Key, Key> byTransactionId = new java.util.HashMap<>();
    private final Path stateFile;
    private final ObjectMapper json;
    private OutputStream journal;
    private long journalLines;
    /** Set when an append failed halfway: the next change rewrites the whole file instead. */
    private boolean rewriteNeeded;

    private SimOrderStore(Path stateFile, ObjectMapper json) {
        this.stateFile = stateFile;
        this.json = json;
    }

    /** A store backed by {@code stateFile} (loaded now if it exists), or memory only when null. */
    static SimOrderStore open(Path stateFile, ObjectMapper json) throws IOException {
        SimOrderStore store = new SimOrderStore(stateFile, json);
        if (stateFile == null) {
            return store;
        }
        boolean current = Files.exists(stateFile) && store.load();
        if (current) {
            store.journal = Files.newOutputStream(stateFile, StandardOpenOption.APPEND);
        } else {
            store.rewrite();
        }
        return store;
    }

    /**
     * Reads the file into memory; true when it is in the line format (and can be appended to),
     * false when it was an older single-document file that must be rewritten.
     */
    private boolean load() throws IOException {
        String text = Files.readString(stateFile, StandardCharsets.UTF_8);
        int firstEnd = text.indexOf('\n');
        String first = (firstEnd < 0 ? text : text.substring(0, firstEnd)).trim();
        if (!first.startsWith("{\"version\"")) {
            StateFile state = json.readValue(text, StateFile.class);
            if (state.orders() != null) {
                state.orders().forEach(order -> putOrder(keyOf(order), order));
            }
            if (state.refunds() != null) {
                state.refunds().forEach(refund -> refunds.put(keyOf(refund), refund));
            }
            return false;
        }
        Header header = json.readValue(first, Header.class);
        if (header.version() != STATE_VERSION) {
            throw new IOException("unknown sandbox state file version " + header.version() + " in " + stateFile);
        }
        boolean complete = text.endsWith("\n");
        try (BufferedReader lines = new BufferedReader(new java.io.StringReader(text.substring(firstEnd + 1)))) {
            String line;
            String pending = null;
            while ((line = lines.readLine()) != null) {
                if (pending != null) {
                    apply(json.readValue(pending, Entry.class));
                }
                pending = line;
            }
            if (pending != null && !pending.isBlank()) {
                if (complete) {
                    apply(json.readValue(pending, Entry.class));
                } else {
                    // Cut short by a crash: the change it held was never answered as done.
                    return false;
                }
            }
        }
        journalLines = text.chars().filter(c -> c == '\n').count();
        return true;
    }

    private void apply(Entry entry) {
        if (entry.order() != null) {
            putOrder(keyOf(entry.order()), entry.order());
        }
        if (entry.refund() != null) {
            refunds.put(keyOf(entry.refund()), entry.refund());
        }
    }

    /** Closes the state file; the store must not be changed afterwards. */
    @Override
    public synchronized void close() throws IOException {
        if (journal != null) {
            journal.close();
            journal = null;
        }
    }

    synchronized Optional<SimOrder> find(String mchId, String outTradeNo) {
        return Optional.ofNullable(orders.get(new Key(mchId, outTradeNo)));
    }

    synchronized Optional<SimOrder> findByTransactionId(String mchId, String transactionId) {
        Key key = byTransactionId.get(new Key(mchId, transactionId));
        return Optional.ofNullable(key == null ? null : orders.get(key))
                .filter(order -> transactionId.equals(order.transactionId()));
    }

    private void putOrder(Key key, SimOrder order) {
        orders.put(key, order);
        indexTransaction(key, order);
    }

    private void indexTransaction(Key key, SimOrder order) {
        if (order.transactionId() != null) {
            byTransactionId.put(new Key(order.mchId(), order.transactionId()), key);
        }
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
            indexTransaction(key, order);
            saveOrUndo(new Entry(order, null), () -> orders.remove(key));
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
            putOrder(key, changed);
            saveOrUndo(new Entry(changed, null), () -> putOrder(key, current));
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
        saveOrUndo(new Entry(null, candidate), () -> refunds.remove(key));
        return new RefundPlacement(RefundPlacement.Kind.PLACED, candidate, refundable - candidate.refundFee());
    }

    /**
     * Moves a refund to a final state; a refund that succeeds moves its order to REFUND in the
     * same step (and the same line of the file).
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
            putOrder(orderKey, changedOrder);
        }
        saveOrUndo(new Entry(changedOrder, finished), () -> {
            refunds.put(key, current);
            if (order != null) {
                putOrder(orderKey, order);
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
            saveOrUndo(new Entry(null, changed), () -> refunds.put(key, current));
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
    private void saveOrUndo(Entry change, Runnable undo) {
        if (stateFile == null) {
            return;
        }
        try {
            if (rewriteNeeded || journalLines + 1 > Math.max(COMPACT_MIN_LINES,
                    (long) COMPACT_FACTOR * (orders.size() + refunds.size()))) {
                rewrite();
            } else {
                append(change);
            }
        } catch (IOException e) {
            undo.run();
            throw new UncheckedIOException("cannot write sandbox state file " + stateFile, e);
        }
    }

    private void append(Entry change) throws IOException {
        byte[] line = (json.writeValueAsString(change) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            journal.write(line);
            journal.flush();
        } catch (IOException e) {
            // Part of the line may be in the file: the next change rewrites it from memory.
            rewriteNeeded = true;
            throw e;
        }
        journalLines++;
    }

    /** Writes the header and one line per order and refund beside the file and moves it over. */
    private void rewrite() throws IOException {
        Path directory = stateFile.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        close();
        rewriteNeeded = true;
        Path temp = Files.createTempFile(directory, stateFile.getFileName().toString(), ".tmp");
        long lines = 1;
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(temp))) {
                out.write((json.writeValueAsString(new Header(STATE_VERSION)) + "\n").getBytes(StandardCharsets.UTF_8));
                for (SimOrder order : orders.values()) {
                    out.write((json.writeValueAsString(new Entry(order, null)) + "\n").getBytes(StandardCharsets.UTF_8));
                    lines++;
                }
                for (SimRefund refund : refunds.values()) {
                    out.write((json.writeValueAsString(new Entry(null, refund)) + "\n").getBytes(StandardCharsets.UTF_8));
                    lines++;
                }
            }
            Files.move(temp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
        journal = Files.newOutputStream(stateFile, StandardOpenOption.APPEND);
        journalLines = lines;
        rewriteNeeded = false;
    }

    private static Key keyOf(SimOrder order) {
        return new Key(order.mchId(), order.outTradeNo());
    }

    private static Key keyOf(SimRefund refund) {
        return new Key(refund.mchId(), refund.outRefundNo());
    }
}
