package io.paygate.reconcile;

import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentResult.RefundInfo;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Source;
import io.paygate.canonical.Times;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.ProviderConnector;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderCalls;
import io.paygate.route.RouteProperties;
import io.paygate.store.Database;
import io.paygate.store.Ledger;
import io.paygate.store.OrderRecord;
import io.paygate.store.ReconcileQueue;
import io.paygate.store.ReconcileQueue.DueOrder;
import io.paygate.store.ReconcileQueue.DueRefund;
import io.paygate.store.Refunds;
import io.paygate.store.Transition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes what the providers did not tell the gateway (docs/reconciliation.md). The sweeps
 * (routes/reconcile.yaml, Quartz) ask {@link #dueOrders} / {@link #dueBarcodes} for the work that
 * is due, each item claimed with compare-and-set; {@code direct:reconcile-task} then runs one item:
 * {@link #start}, and for each provider call {@link #prepare} → {@code direct:provider-call} →
 * {@link #applied}, which records the answer through the same ledger operations as the API and the
 * notifications (source QUERY for queries, RESPONSE for CLOSE and REVERSE), picks a follow-up call
 * (CLOSE after a query that found an expired order unpaid, QUERY after a CLOSE refused because the
 * order was paid) and finally releases the claim with the time of the next look. A sweep chunk's
 * plain queries are recorded together: their answers wait in the {@link Chunk} and
 * {@link #commitChunk} records them all, decisions and releases included, in one transaction.
 */
public final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    /** One claimed piece of work: an unfinished order, or a refund still PROCESSING. */
    public record Task(String merchant, String orderId, String refundId, String provider, String method,
                       Instant createdAt, Instant expireAt, int checks, String owner, Operation first,
                       boolean closeIfUnpaid, boolean reverseIfPending) {
        boolean isRefund() {
            return refundId != null;
        }

        boolean isMicro() {
            return "MICRO".equals(method);
        }
    }

    /**
     * One claimed chunk of a sweep ({@link #claimChunk}), shared by its tasks (run one after the
     * other): the claims it took, the orders as the claim's transaction read them (for each
     * order's first call), and the answers of plain queries not yet recorded ({@link #commitChunk}).
     */
    public static final class Chunk {
        private final Instant until;
        private final Map<Task, io.paygate.provider.OrderSnapshot> claimed = new HashMap<>();
        private final List<Answer> answers = new ArrayList<>();

        Chunk(Instant until) {
            this.until = until;
        }

        /** Until when the chunk's claims run (each order's own claim may have been renewed since). */
        Instant until() {
            return until;
        }

        boolean holds(Task task) {
            return claimed.containsKey(task);
        }

        synchronized void add(Answer answer) {
            answers.add(answer);
        }

        synchronized List<Answer> take() {
            List<Answer> out = List.copyOf(answers);
            answers.clear();
            return out;
        }

        synchronized boolean pending() {
            return !answers.isEmpty();
        }
    }

    /** A query's answer waiting in its chunk to be recorded: the task, what the provider said, and when. */
    record Answer(Task task, PaymentResult result, Instant at) {
    }

    private final Database db;
    private final Ledger ledger;
    private final Refunds refunds;
    private final ReconcileQueue queue;
    private final MerchantDirectory merchants;
    private final ProviderCalls providerCalls;
    private final ReconcileTimings t;
    private final Clock clock;
    private final String instance = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong calls = new AtomicLong();
    /** Pending-order sweeps this process has run (clustered: the firings it got), for gateway_reconcile_sweeps_total. */
    private final AtomicLong sweeps = new AtomicLong();

    public Reconciler(Database db, Ledger ledger, Refunds refunds, ReconcileQueue queue, MerchantDirectory merchants,
                      ProviderCalls providerCalls, ReconcileTimings timings, Clock clock) {
        this.db = db;
        this.ledger = ledger;
        this.refunds = refunds;
        this.queue = queue;
        this.merchants = merchants;
        this.providerCalls = providerCalls;
        this.t = timings;
        this.clock = clock;
    }

    /**
     * The pending-order sweep's workers (routes/reconcile.yaml, {@code reconcileExecutor}):
     * {@code concurrency} daemon threads, so at most that many orders of a sweep are worked on (and
     * provider calls made) at once.
     */
    public static java.util.concurrent.ExecutorService executor(int concurrency) {
        AtomicLong n = new AtomicLong();
        return java.util.concurrent.Executors.newFixedThreadPool(concurrency, r -> {
            Thread thread = new Thread(r, "reconcile-" + n.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Provider calls made by reconciliation since start (metrics, benchmarks). */
    public long calls() {
        return calls.get();
    }

    /**
     * The pending-order sweep: refunds still PROCESSING (first, up to half the batch, so a backlog
     * of orders never starves them) and unfinished orders other than barcode ones, due now. Each is
     * claimed only when its turn comes ({@link #start}), so a claim never lapses while it waits.
     */
    public List<Task> dueOrders(Exchange ex) {
        sweeps.incrementAndGet();
        Instant now = clock.instant();
        String owner = owner("sweep");
        List<Task> tasks = new ArrayList<>();
        Map<String, Integer> perMerchant = new HashMap<>();
        for (DueRefund r : queue.dueRefunds(now, now.minus(t.minAge()), now.minus(t.maxAge()), Math.max(1, t.batch() / 2))) {
            if (perMerchant.merge(r.merchant(), 1, Integer::sum) <= t.perMerchant()) {
                tasks.add(new Task(r.merchant(), r.orderId(), r.refundId(), r.provider(), null, r.createdAt(), null,
                        r.checks(), owner, Operation.REFUND_QUERY, false, false));
            }
        }
        tasks.addAll(plan(queue.dueOrders(now, now.minus(t.minAge()), now.minus(t.earliestPollDelay()), now.minus(t.maxAge()),
                false, t.batch() * 2), now, owner, perMerchant, t.batch() - tasks.size()));
        long abandoned = queue.abandoned(now.minus(t.maxAge()));
        if (abandoned > 0) {
            LOG.warn("{} unfinished orders are older than gateway.reconcile.max-age ({} s) and are no longer queried; "
                    + "list them with GET /api/v1/payments/<merchant>?status=UNKNOWN (or NOTPAY, USERPAYING)",
                    abandoned, t.maxAge().toSeconds());
        }
        return tasks;
    }

    /** How many tasks of a sweep are claimed together (one transaction) by {@link #claimChunk}. */
    static final int CLAIM_CHUNK = 10;

    /**
     * The sweep's tasks in chunks of {@value #CLAIM_CHUNK}, in order (routes/reconcile.yaml: the
     * chunks are worked on gateway.reconcile.concurrency at a time, each chunk's tasks one after the other).
     */
    public List<List<Task>> chunks(List<Task> tasks) {
        List<List<Task>> out = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i += CLAIM_CHUNK) {
            out.add(List.copyOf(tasks.subList(i, Math.min(tasks.size(), i + CLAIM_CHUNK))));
        }
        return out;
    }

    /**
     * Claims a chunk's orders when its turn comes, together, with the same compare-and-set as
     * {@link #start}, and reads the claimed orders for their first call, all in one transaction:
     * the body becomes the tasks to run, without the orders another sweep holds or that are final
     * or no longer due by now. Refunds are claimed one by one by their start. Each task's first
     * provider call renews the claim only if the lease might run out during the call
     * ({@link #prepare}). The exchange's {@link RouteProperties#RECONCILE_CHUNK} holds the chunk
     * for its tasks and for {@link #commitChunk}.
     */
    public List<Task> claimChunk(List<Task> tasks, Exchange ex) {
        Instant now = clock.instant();
        Instant until = now.plus(t.claimLease());
        List<Task> orders = new ArrayList<>();
        for (Task task : tasks) {
            if (!task.isRefund()) {
                orders.add(task);
            }
        }
        Chunk chunk = new Chunk(until);
        if (!orders.isEmpty()) {
            db.inTransaction(c -> {
                boolean[] claimed = queue.claimOrdersIn(c, orders.stream()
                        .map(o -> new ReconcileQueue.OrderKey(o.merchant(), o.orderId())).toList(), orders.get(0).owner(), now, until);
                for (int i = 0; i < claimed.length; i++) {
                    if (claimed[i]) {
                        Task task = orders.get(i);
                        chunk.claimed.put(task, ledger.findIn(c, task.merchant(), task.orderId())
                                .map(OrderRecord::snapshot).orElse(null));
                    }
                }
                return null;
            });
        }
        RouteProperties.RECONCILE_CHUNK.set(ex, chunk);
        List<Task> run = new ArrayList<>();
        for (Task task : tasks) {
            if (task.isRefund() || chunk.holds(task)) {
                run.add(task);
            }
        }
        return run;
    }

    /**
     * The end of a chunk (routes/reconcile.yaml, after its tasks): records the answers its plain
     * queries left waiting, in one transaction ({@link #commit}).
     */
    public void commitChunk(Exchange ex) {
        Chunk chunk = RouteProperties.RECONCILE_CHUNK.get(ex);
        if (chunk != null) {
            commit(chunk);
        }
    }

    /**
     * Records a chunk's waiting answers, each through the same ledger operation, decision and
     * release as an answer recorded at once ({@link #record}), all in one transaction. When that
     * transaction fails (one order's answer cannot be stored), nothing of it is kept and each answer
     * is recorded again in a transaction of its own, so the others are not lost; an answer that
     * fails alone too is logged and its order keeps its claim until the lease lapses, then the next
     * sweep asks the provider again (as for a task that failed, {@link #failed}). Recording an
     * answer again is safe: a transition already made is UNCHANGED the second time, and a claim
     * already released is not released twice.
     */
    void commit(Chunk chunk) {
        List<Answer> answers = chunk.take();
        if (answers.isEmpty()) {
            return;
        }
        try {
            db.inTransaction(c -> {
                for (Answer a : answers) {
                    record(c, a.task(), Operation.QUERY, a.result(), false, false, false, a.at());
                }
                return null;
            });
            return;
        } catch (RuntimeException e) {
            LOG.warn("the answers of {} orders of a sweep could not be recorded together ({}); recording them one by one",
                    answers.size(), e.toString());
        }
        for (Answer a : answers) {
            try {
                db.inTransaction(c -> record(c, a.task(), Operation.QUERY, a.result(), false, false, false, a.at()));
            } catch (RuntimeException e) {
                LOG.warn("reconciliation of order {} of merchant {} failed: {}; it is asked again once its claim lapses",
                        a.task().orderId(), a.task().merchant(), e.toString());
            }
        }
    }

    /**
     * A claim owner for one sweep: with the process's id at its end when the queue knows it (a
     * claim of a process that died is then taken over once its heartbeat is stale).
     */
    private String owner(String kind) {
        String process = queue.ownerSuffix();
        return process.isEmpty() ? kind + ":" + instance + ":" + UUID.randomUUID() : kind + ":" + UUID.randomUUID() + process;
    }

    /** How many pending-order sweeps ran in this process. */
    public long sweepsRun() {
        return sweeps.get();
    }

    /** The barcode sweep (every gateway.micro.sweep-ms): barcode payments due for a query or reversal. */
    public List<Task> dueBarcodes(Exchange ex) {
        Instant now = clock.instant();
        String owner = owner("micro");
        return plan(queue.dueOrders(now, now.minus(t.minAge()), now.minus(t.earliestPollDelay()), now.minus(t.maxAge()),
                true, t.batch()), now, owner, new HashMap<>(), t.batch());
    }

    /** Within the batch and per-merchant limits, what to do with each due order. */
    private List<Task> plan(List<DueOrder> due, Instant now, String owner, Map<String, Integer> perMerchant, int room) {
        List<Task> tasks = new ArrayList<>();
        for (DueOrder o : due) {
            if (tasks.size() >= room) {
                break;
            }
            if (perMerchant.merge(o.merchant(), 1, Integer::sum) <= t.perMerchant()) {
                tasks.add(plan(o, now, owner));
            }
        }
        return tasks;
    }

    /**
     * Every look starts with a QUERY. An expired order still unpaid after it is closed; a barcode
     * payment past its polling still paying after it is reversed: never on an old snapshot.
     */
    private Task plan(DueOrder o, Instant now, String owner) {
        Duration age = Duration.between(o.createdAt(), now);
        ReconcileTimings.ProviderTimings t = this.t.of(o.provider());
        boolean reverseIfPending = false;
        boolean closeIfUnpaid = false;
        if ("MICRO".equals(o.method())) {
            reverseIfPending = age.compareTo(t.pollLimit()) >= 0 && age.compareTo(t.reverseAfter()) >= 0;
        } else if (!now.isBefore(deadline(o.createdAt(), o.expireAt())) && age.compareTo(t.minCloseAge()) >= 0) {
            closeIfUnpaid = true;
        }
        return new Task(o.merchant(), o.orderId(), null, o.provider(), o.method(), o.createdAt(), o.expireAt(),
                o.checks(), owner, Operation.QUERY, closeIfUnpaid, reverseIfPending);
    }

    private Instant deadline(Instant createdAt, Instant expireAt) {
        return expireAt != null ? expireAt : createdAt.plus(t.defaultLifetime());
    }

    /**
     * Start of one task (the body is the Task): claims the order or refund now, with
     * compare-and-set. Another sweep, a till still waiting for its barcode payment, or an order
     * that became final since the sweep read it: the task does nothing.
     */
    public void start(Exchange ex) {
        Task task = ex.getMessage().getBody(Task.class);
        Instant now = clock.instant();
        Chunk chunk = RouteProperties.RECONCILE_CHUNK.get(ex);
        Instant until = chunk != null && chunk.holds(task) ? chunk.until() : null;
        boolean claimed;
        if (until != null) {
            claimed = true; // claimed with its chunk (claimChunk)
        } else {
            until = now.plus(t.claimLease());
            claimed = task.isRefund()
                    ? queue.claimRefund(task.merchant(), task.refundId(), task.owner(), now, until)
                    : queue.claimOrder(task.merchant(), task.orderId(), task.owner(), now, until);
        }
        RouteProperties.RECONCILE_TASK.set(ex, task);
        // One id for this sweep of this order: its calls' lines share it (docs/operations.md, "Logs").
        io.paygate.route.LogContext.order(ex, task.merchant(), task.orderId(), task.provider(),
                "reconcile-" + io.paygate.route.LogContext.httpRequestId(null).substring(0, 16));
        RouteProperties.RECONCILE_OPERATION.set(ex, claimed ? task.first().name() : null);
        RouteProperties.RECONCILE_CLAIM_UNTIL.set(ex, claimed ? until : null);
        RouteProperties.RECONCILE_CLOSE_IF_UNPAID.set(ex, task.closeIfUnpaid());
        RouteProperties.RECONCILE_REVERSE_IF_PENDING.set(ex, task.reverseIfPending());
    }

    /** Before each provider call: the connector seam's properties, as the API sets them. */
    public void prepare(Exchange ex) {
        Task task = RouteProperties.RECONCILE_TASK.get(ex);
        Operation op = Operation.valueOf(RouteProperties.RECONCILE_OPERATION.get(ex));
        RouteProperties.RECONCILE_SKIP.set(ex, false);
        // The first call after the claim: renewed below only if the claim might lapse during the call.
        Instant claimUntil = RouteProperties.RECONCILE_CLAIM_UNTIL.get(ex);
        RouteProperties.RECONCILE_CLAIM_UNTIL.set(ex, null);
        boolean first = claimUntil != null;
        if (!task.isRefund() && !first && !queue.renewOrder(task.merchant(), task.orderId(), task.owner(),
                clock.instant().plus(t.claimLease()))) {
            // The claim is no longer ours (it lapsed and another took the order) or the order is final.
            RouteProperties.RECONCILE_SKIP.set(ex, true);
            RouteProperties.RECONCILE_CALL.set(ex, false);
            return;
        }
        Optional<MerchantProfile> profile = merchants.byId(task.merchant());
        ProviderConnector connector = providerCalls.connector(task.provider()).orElse(null);
        PaymentRequest request = request(task, op);
        if (profile.isEmpty() || connector == null || !profile.get().supports(task.provider())) {
            throw new IllegalStateException("merchant " + task.merchant() + " or provider " + task.provider()
                    + " is no longer configured");
        }
        RouteProperties.RECONCILE_CALL.set(ex, true);
        RouteProperties.RECONCILE_CLOSING.set(ex, op == Operation.CLOSE);
        if (op == Operation.CLOSE) {
            Optional<PaymentError> refused = connector.refuse(request, profile.get());
            if (refused.isPresent() && refused.get().code() == ErrorCode.UNSUPPORTED) {
                // A provider without a close (Ystpay) reverses an unpaid order instead; where it
                // cannot reverse this order either, the order is closed in the ledger only (a
                // payment that still arrives moves it CLOSED -> SUCCESS and is raised).
                op = Operation.REVERSE;
                request = request(task, op);
                if (connector.refuse(request, profile.get()).isPresent()) {
                    op = Operation.CLOSE;
                    request = request(task, op);
                    RouteProperties.RECONCILE_CALL.set(ex, false);
                    RouteProperties.RECONCILE_OPERATION.set(ex, op.name());
                    ex.getMessage().setBody(PaymentResult.answering(request).status(PaymentStatus.CLOSED).build());
                    return;
                }
            }
        }
        RouteProperties.RECONCILE_OPERATION.set(ex, op.name());
        Chunk chunk = RouteProperties.RECONCILE_CHUNK.get(ex);
        // The first call of an order claimed with its chunk: the order as the claim's transaction read it.
        io.paygate.provider.OrderSnapshot snapshot = first && chunk != null && chunk.holds(task)
                ? chunk.claimed.get(task)
                : ledger.find(task.merchant(), task.orderId()).map(OrderRecord::snapshot).orElse(null);
        ProviderCall call = providerCalls.call(request, profile.get(), op, snapshot, false);
        Duration callTime = call.connectTimeout().plus(call.readTimeout()).plusSeconds(30);
        Instant callEnd = clock.instant().plus(callTime);
        if (chunk != null && chunk.pending() && chunk.until().isBefore(callEnd)) {
            // The chunk's waiting answers are recorded before their claims could lapse during this call.
            commit(chunk);
        }
        if (!task.isRefund() && first && claimUntil.isBefore(callEnd)) {
            // The claim (taken with its chunk, a while ago) might lapse during the call: renewed
            // now, and if it is no longer ours (it lapsed and another took the order) or the order
            // became final, the order is left alone.
            Instant lease = clock.instant().plus(t.claimLease());
            if (!queue.renewOrder(task.merchant(), task.orderId(), task.owner(), lease.isAfter(callEnd) ? lease : callEnd)) {
                RouteProperties.RECONCILE_SKIP.set(ex, true);
                RouteProperties.RECONCILE_CALL.set(ex, false);
                return;
            }
        } else if (!task.isRefund() && !first && callTime.compareTo(t.claimLease()) > 0) {
            // A merchant whose provider may take longer than the claim lease: the claim lasts the call.
            queue.renewOrder(task.merchant(), task.orderId(), task.owner(), callEnd);
        }
        ProviderCalls.put(ex, call);
        calls.incrementAndGet();
    }

    private static PaymentRequest request(Task task, Operation op) {
        return new PaymentRequest("1", "reconcile-" + UUID.randomUUID(), task.merchant(), task.provider(), op,
                task.orderId(), null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, task.isRefund() ? new PaymentRequest.Refund(task.refundId(), null, null) : null);
    }

    /**
     * After each provider call: record, then pick the follow-up call or release the claim, in one
     * transaction; a plain query of an order its chunk claimed leaves its answer to the chunk
     * ({@link #commitChunk}).
     */
    public void applied(Exchange ex) {
        if (RouteProperties.RECONCILE_SKIP.isTrue(ex)) {
            RouteProperties.RECONCILE_OPERATION.set(ex, null);
            return;
        }
        Task task = RouteProperties.RECONCILE_TASK.get(ex);
        boolean reverseIfPending = RouteProperties.RECONCILE_REVERSE_IF_PENDING.isTrue(ex);
        Operation op = Operation.valueOf(RouteProperties.RECONCILE_OPERATION.get(ex));
        PaymentResult r = ex.getMessage().getBody(PaymentResult.class);
        boolean closeIfUnpaid = RouteProperties.RECONCILE_CLOSE_IF_UNPAID.isTrue(ex);
        boolean closing = RouteProperties.RECONCILE_CLOSING.isTrue(ex);
        Instant now = clock.instant();
        Chunk chunk = RouteProperties.RECONCILE_CHUNK.get(ex);
        if (chunk != null && chunk.holds(task) && op == Operation.QUERY && !closeIfUnpaid && !reverseIfPending && !closing) {
            // A plain query of a chunk's order has no follow-up call: its answer is recorded with the
            // chunk's others (commitChunk). A crash before that loses only the answer; the claim lapses
            // and the next sweep asks again.
            chunk.add(new Answer(task, r, now));
            RouteProperties.RECONCILE_OPERATION.set(ex, null);
            return;
        }
        PaymentError error = r == null ? null : r.error();
        Operation next = db.inTransaction(c -> record(c, task, op, r, closeIfUnpaid, reverseIfPending, closing, now));
        RouteProperties.RECONCILE_OPERATION.set(ex, next == null ? null : next.name());
        if (next != null) {
            RouteProperties.RECONCILE_CLOSE_IF_UNPAID.set(ex, false);
            RouteProperties.RECONCILE_REVERSE_IF_PENDING.set(ex, false);
        }
        if (task.isRefund()) {
            afterRefundQuery(task, error, now);
        }
    }

    /**
     * One transaction's part for one answer: what the provider said (through the ledger's
     * transition, the single path), the decision, and the claim's release with the time of the next
     * look, unless a follow-up call is due (returned).
     */
    private Operation record(java.sql.Connection c, Task task, Operation op, PaymentResult r, boolean closeIfUnpaid,
                             boolean reverseIfPending, boolean closing, Instant now) throws java.sql.SQLException {
        Source source = op == Operation.QUERY || op == Operation.REFUND_QUERY ? Source.QUERY : Source.RESPONSE;
        PaymentError error = r == null ? null : r.error();
        io.paygate.store.TransitionOutcome outcome = null;
        if (r != null && r.status() != null && op != Operation.REFUND_QUERY) {
            outcome = ledger.applyIn(c, new Transition(task.merchant(), task.orderId(), r.status(), source,
                    r.providerTradeId(), r.channelTradeId(), r.paidAmount(), r.couponAmount(), Times.parse(r.paidAt()),
                    error == null ? null : error.providerCode()));
        }
        boolean refundsToo = r != null && r.refunds() != null && !r.refunds().isEmpty();
        if (refundsToo) {
            for (RefundInfo info : r.refunds()) {
                refunds.applyIn(c, task.merchant(), task.orderId(), info, source);
            }
        }
        if (task.isRefund()) {
            return null;
        }
        // The transition locked the order's row and read it as it is now; else (or after refunds) it is locked here.
        OrderRecord order = outcome != null && outcome.order() != null && !refundsToo ? outcome.order()
                : ledger.lock(c, task.merchant(), task.orderId()).orElse(null);
        if (order == null || (!MicroWait.pending(order.status()) && order.status() != PaymentStatus.NOTPAY)) {
            queue.releaseOrderIn(c, task.merchant(), task.orderId(), task.owner(), null, true);
            return null;
        }
        Operation follow = null;
        Instant nextCheck;
        if (closing && error != null && error.code() == ErrorCode.UNSUPPORTED) {
            // Expired, and the provider can neither close nor reverse this order: closed in
            // the ledger only; a payment that still arrives moves it CLOSED -> SUCCESS.
            ledger.applyIn(c, new Transition(task.merchant(), task.orderId(), PaymentStatus.CLOSED, Source.QUERY,
                    null, null, null, null, null, "expired, unpaid by the query; the provider has no close for it"));
            queue.releaseOrderIn(c, task.merchant(), task.orderId(), task.owner(), null, true);
            return null;
        }
        switch (op) {
            case QUERY -> {
                if (reverseIfPending) {
                    // Still paying (or unknown to the provider) after the polling: reverse now.
                    if (error == null || error.code() == ErrorCode.ORDER_NOT_FOUND) {
                        follow = Operation.REVERSE;
                        nextCheck = null;
                    } else {
                        nextCheck = now.plus(reverseWait(task, now));
                    }
                } else if (closeIfUnpaid && order.status() != PaymentStatus.USERPAYING && error == null) {
                    follow = Operation.CLOSE;
                    nextCheck = null;
                } else if (closeIfUnpaid && error != null && error.code() == ErrorCode.ORDER_NOT_FOUND) {
                    // The provider never saw this order and it has expired: nobody can pay it now.
                    ledger.applyIn(c, new Transition(task.merchant(), task.orderId(), PaymentStatus.CLOSED,
                            Source.QUERY, null, null, null, null, null, "expired; the provider has no such order"));
                    nextCheck = null;
                } else {
                    nextCheck = next(task, order, now);
                }
            }
            // Paid after all: learn the payment now (the close changed nothing).
            case CLOSE -> {
                if (error != null && error.code() == ErrorCode.ORDER_PAID) {
                    follow = Operation.QUERY;
                    nextCheck = null;
                } else {
                    nextCheck = error == null ? null : now.plus(t.backoffAfter(task.checks()));
                }
            }
            case REVERSE -> nextCheck = error == null ? null : now.plus(reverseWait(task, now));
            default -> nextCheck = next(task, order, now);
        }
        if (follow == null) {
            queue.releaseOrderIn(c, task.merchant(), task.orderId(), task.owner(), nextCheck, true);
        }
        return follow;
    }

    /**
     * A reversal that failed (or could not be tried) is tried again after as long as reversing has
     * been going on, at least poll-interval and at most 10 minutes: a doubling backoff.
     */
    private Duration reverseWait(Task task, Instant now) {
        ReconcileTimings.ProviderTimings t = this.t.of(task.provider());
        Instant reverseFrom = task.createdAt().plus(t.pollLimit().compareTo(t.reverseAfter()) >= 0 ? t.pollLimit() : t.reverseAfter());
        Duration going = Duration.between(reverseFrom, now);
        if (going.compareTo(t.pollInterval()) < 0) {
            return t.pollInterval();
        }
        return going.compareTo(Duration.ofMinutes(10)) > 0 ? Duration.ofMinutes(10) : going;
    }

    /** When an order still unfinished after a query is looked at next. */
    private Instant next(Task task, OrderRecord order, Instant now) {
        ReconcileTimings.ProviderTimings p = t.of(task.provider());
        if (task.isMicro()) {
            Instant next = now.plus(p.pollInterval());
            Instant reverseAt = task.createdAt().plus(p.pollLimit().compareTo(p.reverseAfter()) >= 0 ? p.pollLimit() : p.reverseAfter());
            return next.isBefore(reverseAt) ? next : reverseAt;
        }
        Instant next = now.plus(t.backoffAfter(task.checks()));
        Instant closeAt = deadline(task.createdAt(), order.expireAt());
        Instant earliestClose = task.createdAt().plus(p.minCloseAge());
        if (closeAt.isBefore(earliestClose)) {
            closeAt = earliestClose;
        }
        return closeAt.isAfter(now) && closeAt.isBefore(next) ? closeAt : next;
    }

    private void afterRefundQuery(Task task, PaymentError error, Instant now) {
        Optional<RefundInfo> refund = refunds.find(task.merchant(), task.refundId());
        if (refund.isEmpty() || !"PROCESSING".equals(refund.get().status())) {
            queue.releaseRefund(task.merchant(), task.refundId(), task.owner(), null, true);
            return;
        }
        if (error != null && error.code() == ErrorCode.REFUND_NOT_FOUND && task.checks() >= 2
                && refund.get().providerRefundId() == null) {
            // Asked three times and the provider has never heard of it: the refund was not made.
            db.inTransaction(c -> refunds.applyIn(c, task.merchant(), task.orderId(), new RefundInfo(task.refundId(),
                    null, refund.get().amount(), "FAILED", null), Source.QUERY));
            queue.releaseRefund(task.merchant(), task.refundId(), task.owner(), null, true);
            return;
        }
        queue.releaseRefund(task.merchant(), task.refundId(), task.owner(), now.plus(t.backoffAfter(task.checks())), true);
    }

    /** A task that failed unexpectedly keeps its claim until the lease lapses, then is tried again. */
    public void failed(Exchange ex) {
        Task task = RouteProperties.RECONCILE_TASK.get(ex);
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.warn("reconciliation of order {} of merchant {} failed: {}", task == null ? "?" : task.orderId(),
                task == null ? "?" : task.merchant(), e == null ? "?" : e.toString());
        RouteProperties.RECONCILE_OPERATION.set(ex, null);
    }

}
