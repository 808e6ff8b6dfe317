package io.paygate.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.canonical.Json;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Source;
import io.paygate.store.Database;
import io.paygate.store.IdempotencyStore;
import io.paygate.store.Ledger;
import io.paygate.store.Transition;
import io.paygate.store.TransitionOutcome;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ledger alone, without HTTP, Camel or a provider: {@code --clients} threads each make what a
 * new PAY SCAN makes of the store, its two transactions as the gateway runs them (PaymentApi): the
 * intake (the order's routing read, the idempotency claim, the order row and its first history
 * line), then the answer (the order moved to NOTPAY under its row lock with its history line, and
 * the stored answer for replays). Prints JmsLoad's line for the PAYs of the measured period, then
 * the process's CPU per PAY over that period and, on the embedded H2 file, its commits per write
 * and the ledger file's size at the end.
 *
 * <pre>
 * java -cp payment-gateway.jar:payment-gateway-sandbox.jar io.paygate.tools.LedgerLoad
 *      [--clients 8] [--seconds 20] [--warmup 10] [--dir DIR] [--keep true] [--url JDBC-URL --user U --password P]
 * </pre>
 *
 * Without {@code --url}, a fresh embedded H2 ledger (the gateway's own URL) in a new directory under
 * {@code --dir} (default: target/), on disk, deleted at the end unless {@code --keep true} (then its
 * path is printed, e.g. for H2's {@code org.h2.mvstore.MVStoreTool -dump}).
 */
public final class LedgerLoad {
    private LedgerLoad() {
    }

    /** What a run measured, beside the load line. */
    record Report(LoadRun.Result load, double cpuMsPerPay, double commitsPerWrite, long fileBytes) {
        String line() {
            return load.line() + String.format(Locale.ROOT, " cpu/pay=%.3fms", cpuMsPerPay)
                    + (fileBytes < 0 ? "" : String.format(Locale.ROOT, " commits/write=%.2f ledgerFile=%dMB",
                    commitsPerWrite, fileBytes >> 20));
        }
    }

    public static void main(String[] args) throws Exception {
        ToolOptions o = new ToolOptions(args, java.util.Set.of("clients", "seconds", "warmup", "dir", "keep", "url",
                "user", "password"));
        Path dir = Path.of(o.get("dir", "target"));
        Files.createDirectories(dir);
        Path data = Files.createTempDirectory(dir, "ledger-load");
        try {
            String url = o.get("url", Database.embeddedUrl(data));
            try (Database db = new Database(url, o.get("user", "sa"), o.get("password", ""), o.intValue("clients", 8) + 2)) {
                System.out.println(run(db, o.intValue("clients", 8), o.intValue("warmup", 10), o.intValue("seconds", 20),
                        data.resolve("ledger.mv.db")).line());
            }
        } finally {
            if (Boolean.parseBoolean(o.get("keep", "false"))) {
                System.out.println("ledger kept: " + data.resolve("ledger.mv.db"));
            } else {
                try (var files = Files.walk(data)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    static Report run(Database db, int clients, double warmup, double seconds, Path file) throws InterruptedException {
        ObjectMapper json = Json.mapper();
        Clock clock = Clock.systemUTC();
        Ledger ledger = new Ledger(db, json, clock);
        IdempotencyStore idempotency = new IdempotencyStore(db, clock, "ledger-load");
        String run = Long.toString(System.currentTimeMillis(), 36);
        String hash = "0".repeat(64);
        AtomicLong pays = new AtomicLong();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long[] atStart = new long[4];
        Thread mark = new Thread(() -> {
            try {
                Thread.sleep((long) (warmup * 1000));
            } catch (InterruptedException e) {
                return;
            }
            atStart[0] = os.getProcessCpuTime();
            atStart[1] = pays.get();
            atStart[2] = db.groupWrites();
            atStart[3] = db.groupCommits();
        }, "ledger-load-mark");
        mark.start();
        LoadRun.Result load = LoadRun.run(clients, warmup, seconds, index -> n -> {
            String id = "L" + run + "-" + index + "-" + n;
            PaymentRequest r = new PaymentRequest("1.0", id, "bench-shop", "wechat", Operation.PAY, id, 1L, "CNY",
                    PayMethod.SCAN, null, "load", null, "127.0.0.1", null, null, null, null, null, null, null, null, null, null);
            boolean claimed = db.inTransaction(c -> {
                ledger.findIn(c, r.merchant(), r.orderId());
                IdempotencyStore.Claim claim = idempotency.claimIn(c, r.merchant(), r.requestId(), hash, true);
                if (claim.kind() != IdempotencyStore.Kind.NEW) {
                    return false;
                }
                ledger.createIn(c, r);
                return true;
            });
            if (!claimed) {
                return false;
            }
            String answer = json.writeValueAsString(PaymentResult.answering(r).status(PaymentStatus.NOTPAY).amount(1L)
                    .action(new PaymentResult.Action("weixin://wxpay/bizpayurl?pr=" + Long.toString(n, 36) + "ld8Kz3",
                            null, null, null)).build());
            TransitionOutcome outcome = db.inTransaction(c -> {
                TransitionOutcome o = ledger.applyIn(c, Transition.of(r.merchant(), r.orderId(), PaymentStatus.NOTPAY,
                        Source.RESPONSE));
                idempotency.completeIn(c, r.merchant(), r.requestId(), 200, answer);
                return o;
            });
            pays.incrementAndGet();
            return outcome.kind() == TransitionOutcome.Kind.APPLIED && outcome.order().status() == PaymentStatus.NOTPAY;
        });
        mark.interrupt();
        long cpu = os.getProcessCpuTime() - atStart[0];
        long measured = Math.max(1, pays.get() - atStart[1]);
        long writes = db.groupWrites() - atStart[2];
        long commits = db.groupCommits() - atStart[3];
        double commitsPerWrite = writes == 0 ? 0 : (double) commits / writes;
        long size = -1;
        try {
            size = file != null && Files.exists(file) && writes > 0 ? Files.size(file) : -1;
        } catch (java.io.IOException e) {
            // no size then
        }
        return new Report(load, cpu / 1e6 / measured, commitsPerWrite, size);
    }
}
