package io.paygate.sandbox.wechat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * The simulated WeChat's orders, keyed by merchant and out_trade_no. When given a state file, the
 * store loads it once and rewrites it atomically after every change, so a restarted sandbox still
 * knows the orders a gateway placed before the restart.
 */
final class SimOrderStore {

    private record Key(String mchId, String outTradeNo) {
    }

    /** The state file's layout; {@code version} lets a later layout recognise older files. */
    private record StateFile(@JsonProperty("version") int version,
                             @JsonProperty("orders") List<SimOrder> orders) {
    }

    private static final int STATE_VERSION = 1;

    private final Map<Key, SimOrder> orders = new LinkedHashMap<>();
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
                json.writerWithDefaultPrettyPrinter()
                        .writeValue(temp.toFile(), new StateFile(STATE_VERSION, new ArrayList<>(orders.values())));
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
}
