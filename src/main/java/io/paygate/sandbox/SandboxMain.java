package io.paygate.sandbox;

import io.paygate.sandbox.pooul.PooulSimulator;
import io.paygate.sandbox.wechat.WechatSimulator;
import io.paygate.sandbox.wechat.WechatSimulator.Merchant;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the payment-provider simulators on their own, for a gateway in sandbox mode:
 *
 * <pre>
 * java -cp payment-gateway.jar io.paygate.sandbox.SandboxMain \
 *     [--wechat-port 18091 --wechat-merchant MCHID:APPID:APIKEY [--wechat-merchant ...] [--state-file path]] \
 *     [--pooul-port 18093 --pooul-keys DIR --pooul-merchant ID:classic:MD5KEY | ID:v2:PUBLIC_KEY_PEM ...]
 * </pre>
 *
 * Prints {@code sandbox wechat listening on 127.0.0.1:<port>} (and {@code sandbox pooul listening
 * on ...}) once serving, and runs until the process is stopped. The Pooul simulator's platform key
 * pair is kept in (and made on first use in) {@code --pooul-keys}; gateways name its
 * {@code platform-public.pem}. API keys are never printed, not even in usage errors.
 */
public final class SandboxMain {

    private static final String USAGE = "usage: SandboxMain [--wechat-port PORT"
            + " --wechat-merchant MCHID:APPID:APIKEY [--wechat-merchant ...] [--state-file PATH]]"
            + " [--pooul-port PORT --pooul-keys DIR --pooul-merchant ID:classic:MD5KEY|ID:v2:PUBLIC_KEY_PEM ...]";

    /** The command line, parsed. */
    record Options(Integer wechatPort, List<Merchant> merchants, Path stateFile, Integer pooulPort,
                   List<PooulSimulator.Merchant> pooulMerchants, Path pooulKeys) {
        Options(int wechatPort, List<Merchant> merchants, Path stateFile) {
            this(wechatPort, merchants, stateFile, null, List.of(), null);
        }
    }

    /** A command line that cannot be run; the message never repeats argument values (they may hold keys). */
    static final class BadArguments extends Exception {
        BadArguments(String message) {
            super(message);
        }
    }

    private SandboxMain() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Options options;
        try {
            options = parse(args);
        } catch (BadArguments e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        List<AutoCloseable> running = new ArrayList<>();
        if (options.wechatPort() != null) {
            WechatSimulator wechat = new WechatSimulator(options.wechatPort(), options.merchants(), options.stateFile());
            wechat.start();
            running.add(wechat);
            System.out.println("sandbox wechat listening on 127.0.0.1:" + wechat.port());
        }
        if (options.pooulPort() != null) {
            PooulSimulator pooul = new PooulSimulator(options.pooulPort(), options.pooulMerchants(),
                    PooulSimulator.platformKeys(options.pooulKeys()));
            pooul.start();
            running.add(pooul);
            System.out.println("sandbox pooul listening on 127.0.0.1:" + pooul.port());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable c : running) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // stopping anyway
                }
            }
            stopped.countDown();
        }, "sandbox-shutdown"));
        System.out.flush();
        stopped.await();
    }

    static Options parse(String[] args) throws BadArguments {
        Integer port = null;
        List<Merchant> merchants = new ArrayList<>();
        Path stateFile = null;
        Integer pooulPort = null;
        List<PooulSimulator.Merchant> pooulMerchants = new ArrayList<>();
        Path pooulKeys = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!List.of("--wechat-port", "--wechat-merchant", "--state-file", "--pooul-port", "--pooul-merchant",
                    "--pooul-keys").contains(option)) {
                throw new BadArguments("unknown option at position " + (i + 1));
            }
            if (i + 1 >= args.length) {
                throw new BadArguments(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--wechat-port" -> port = port(value, option);
                case "--wechat-merchant" -> merchants.add(merchant(value));
                case "--pooul-port" -> pooulPort = port(value, option);
                case "--pooul-merchant" -> pooulMerchants.add(pooulMerchant(value));
                case "--pooul-keys" -> pooulKeys = Path.of(value);
                default -> stateFile = Path.of(value);
            }
        }
        if (port == null && pooulPort == null) {
            throw new BadArguments("--wechat-port or --pooul-port is required");
        }
        if (port != null && merchants.isEmpty()) {
            throw new BadArguments("at least one --wechat-merchant is required");
        }
        if (port == null && !merchants.isEmpty()) {
            throw new BadArguments("--wechat-port is required");
        }
        long distinct = merchants.stream().map(Merchant::mchId).distinct().count();
        if (distinct != merchants.size()) {
            throw new BadArguments("--wechat-merchant mch_ids must be unique");
        }
        if (pooulPort != null && (pooulMerchants.isEmpty() || pooulKeys == null)) {
            throw new BadArguments("--pooul-port needs --pooul-keys and at least one --pooul-merchant");
        }
        return new Options(port, List.copyOf(merchants), stateFile, pooulPort, List.copyOf(pooulMerchants), pooulKeys);
    }

    private static PooulSimulator.Merchant pooulMerchant(String value) throws BadArguments {
        String[] parts = value.split(":", 3);
        if (parts.length != 3 || parts[0].isBlank() || parts[2].isBlank()
                || !(parts[1].equals("classic") || parts[1].equals("v2"))) {
            throw new BadArguments("--pooul-merchant expects ID:classic:MD5KEY or ID:v2:PUBLIC_KEY_PEM");
        }
        if (parts[1].equals("classic")) {
            return PooulSimulator.Merchant.classic(parts[0], parts[2]);
        }
        try {
            return PooulSimulator.Merchant.v2(parts[0], PooulSimulator.readPublicKey(Path.of(parts[2])));
        } catch (IOException e) {
            throw new BadArguments("--pooul-merchant " + parts[0] + ": the public key file cannot be read as an X.509 PEM");
        }
    }

    private static int port(String value, String option) throws BadArguments {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new BadArguments(option + " must be 0..65535");
    }

    private static Merchant merchant(String value) throws BadArguments {
        // The key is last and split off whole, so a key containing ':' survives.
        String[] parts = value.split(":", 3);
        if (parts.length != 3 || parts[0].isBlank() || parts[1].isBlank() || parts[2].isBlank()) {
            throw new BadArguments("--wechat-merchant expects MCHID:APPID:APIKEY");
        }
        return new Merchant(parts[0], parts[1], parts[2]);
    }
}
