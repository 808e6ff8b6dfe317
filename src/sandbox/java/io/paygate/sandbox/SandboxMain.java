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
 *     --wechat-port 18091 --wechat-merchant MCHID:APPID:APIKEY [--wechat-merchant ...] \
 *     [--state-file path] [--wechat-tls-port 18092 [--wechat-tls-dir path]] \
 *     [--ystpay-port 18094 --gateway-url http://127.0.0.1:8080 \
 *      --ystpay-merchant MERCHANTID:ACCOUNT:PASSWORD:PRIVATEKEY [--ystpay-merchant ...]] \
 *     [--pooul-port 18093 --pooul-keys DIR --pooul-merchant ID:classic:MD5KEY | ID:v2:PUBLIC_KEY_PEM ...]
 * </pre>
 *
 * Ystpay merchants use the default key settings (requestKey first16, padding zero, passwordMd5
 * upper); their notices go to {@code <gateway-url>/notify/ystpay/<MERCHANTID>}. The WeChat part
 * may be left out when Ystpay or Pooul merchants are given. The Pooul simulator (classic and v2)
 * keeps its platform key pair in, and makes it on first use in, {@code --pooul-keys}; gateways name
 * its {@code platform-public.pem}; its notifications go to each order's notify_url.
 *
 * Prints {@code sandbox wechat listening on 127.0.0.1:<port>} once serving (and
 * {@code sandbox wechat tls listening on 127.0.0.1:<port>, CA <dir>/ca.pem} with a TLS port, which
 * serves /secapi with mutual TLS), and runs until the process is stopped. With
 * {@code --wechat-tls-port} the certificates go to {@code --wechat-tls-dir}, by default
 * {@code wechat-tls} beside the state file or in the working directory. API keys are never printed,
 * not even in usage errors.
 */
public final class SandboxMain {

    private static final String USAGE = "usage: SandboxMain --wechat-port PORT"
            + " --wechat-merchant MCHID:APPID:APIKEY [--wechat-merchant ...] [--state-file PATH]"
            + " [--wechat-tls-port PORT [--wechat-tls-dir PATH]]"
            + " [--ystpay-port PORT --gateway-url URL --ystpay-merchant MERCHANTID:ACCOUNT:PASSWORD:PRIVATEKEY ...]"
            + " [--pooul-port PORT --pooul-keys DIR --pooul-merchant ID:classic:MD5KEY|ID:v2:PUBLIC_KEY_PEM ...]";

    /** The Pooul options, taken off the command line before the others are read. */
    record PooulOptions(Integer port, Path keys, List<PooulSimulator.Merchant> merchants, List<String> rest) {
    }

    /** The command line, parsed. */
    record Options(int wechatPort, List<Merchant> merchants, Path stateFile, Integer wechatTlsPort, Path wechatTlsDir,
                   int ystpayPort, List<io.paygate.sandbox.ystpay.YstpaySimulator.Merchant> ystpayMerchants) {
        Options(int wechatPort, List<Merchant> merchants, Path stateFile) {
            this(wechatPort, merchants, stateFile, null, null, -1, List.of());
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
        SandboxHttp.noDelay();
        Options options;
        PooulOptions pooul;
        try {
            pooul = parsePooul(args);
            options = pooul.port() != null && pooul.rest().isEmpty() ? new Options(-1, List.of(), null)
                    : parse(pooul.rest().toArray(new String[0]));
        } catch (BadArguments e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        List<AutoCloseable> running = new ArrayList<>();
        if (!options.merchants().isEmpty()) {
            WechatSimulator wechat = options.wechatTlsPort() == null
                    ? new WechatSimulator(options.wechatPort(), options.merchants(), options.stateFile())
                    : new WechatSimulator(options.wechatPort(), options.merchants(), options.stateFile(),
                            options.wechatTlsPort(), options.wechatTlsDir());
            wechat.start();
            running.add(wechat);
            System.out.println("sandbox wechat listening on 127.0.0.1:" + wechat.port());
            if (options.wechatTlsPort() != null) {
                System.out.println("sandbox wechat tls listening on 127.0.0.1:" + wechat.tlsPort() + ", CA "
                        + wechat.caCertificate());
            }
        }
        if (!options.ystpayMerchants().isEmpty()) {
            io.paygate.sandbox.ystpay.YstpaySimulator ystpay = new io.paygate.sandbox.ystpay.YstpaySimulator(
                    options.ystpayPort(), options.ystpayMerchants());
            ystpay.start();
            running.add(ystpay);
            System.out.println("sandbox ystpay listening on 127.0.0.1:" + ystpay.port());
        }
        if (pooul.port() != null) {
            PooulSimulator sim = new PooulSimulator(pooul.port(), pooul.merchants(), PooulSimulator.platformKeys(pooul.keys()));
            sim.start();
            running.add(sim);
            System.out.println("sandbox pooul listening on 127.0.0.1:" + sim.port());
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

    static PooulOptions parsePooul(String[] args) throws BadArguments {
        List<String> rest = new ArrayList<>();
        Integer port = null;
        Path keys = null;
        List<PooulSimulator.Merchant> merchants = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!List.of("--pooul-port", "--pooul-keys", "--pooul-merchant").contains(option)) {
                rest.add(option);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new BadArguments(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--pooul-port" -> port = port(value, option);
                case "--pooul-keys" -> keys = Path.of(value);
                default -> merchants.add(pooulMerchant(value));
            }
        }
        if ((port != null || !merchants.isEmpty() || keys != null) && (port == null || merchants.isEmpty() || keys == null)) {
            throw new BadArguments("--pooul-port needs --pooul-keys and at least one --pooul-merchant");
        }
        return new PooulOptions(port, keys, List.copyOf(merchants), List.copyOf(rest));
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

    static Options parse(String[] args) throws BadArguments {
        Integer port = null;
        List<Merchant> merchants = new ArrayList<>();
        Path stateFile = null;
        Integer ystpayPort = null;
        String gatewayUrl = null;
        List<String> ystpayValues = new ArrayList<>();
        Integer tlsPort = null;
        Path tlsDir = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!List.of("--wechat-port", "--wechat-merchant", "--state-file", "--wechat-tls-port", "--wechat-tls-dir",
                    "--ystpay-port", "--gateway-url", "--ystpay-merchant").contains(option)) {
                throw new BadArguments("unknown option at position " + (i + 1));
            }
            if (i + 1 >= args.length) {
                throw new BadArguments(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--wechat-port" -> port = port(value, option);
                case "--wechat-tls-port" -> tlsPort = port(value, option);
                case "--wechat-tls-dir" -> tlsDir = Path.of(value);
                case "--wechat-merchant" -> merchants.add(merchant(value));
                case "--ystpay-port" -> ystpayPort = port(value, option);
                case "--gateway-url" -> gatewayUrl = value;
                case "--ystpay-merchant" -> ystpayValues.add(value);
                default -> stateFile = Path.of(value);
            }
        }
        List<io.paygate.sandbox.ystpay.YstpaySimulator.Merchant> ystpay = new ArrayList<>();
        for (String v : ystpayValues) {
            String[] parts = v.split(":", 4);
            if (parts.length != 4 || java.util.Arrays.stream(parts).anyMatch(String::isBlank)) {
                throw new BadArguments("--ystpay-merchant expects MERCHANTID:ACCOUNT:PASSWORD:PRIVATEKEY");
            }
            if (gatewayUrl == null) {
                throw new BadArguments("--gateway-url is required with --ystpay-merchant (where notices go)");
            }
            ystpay.add(new io.paygate.sandbox.ystpay.YstpaySimulator.Merchant(parts[1], parts[2], parts[3],
                    gatewayUrl.replaceAll("/+$", "") + "/notify/ystpay/" + parts[0]));
        }
        if (!ystpay.isEmpty()) {
            if (ystpayPort == null) {
                throw new BadArguments("--ystpay-port is required with --ystpay-merchant");
            }
            if (port == null && merchants.isEmpty()) {
                return new Options(-1, List.of(), stateFile, null, null, ystpayPort, List.copyOf(ystpay));
            }
        }
        if (port == null) {
            throw new BadArguments("--wechat-port is required");
        }
        if (merchants.isEmpty()) {
            throw new BadArguments("at least one --wechat-merchant is required");
        }
        long distinct = merchants.stream().map(Merchant::mchId).distinct().count();
        if (distinct != merchants.size()) {
            throw new BadArguments("--wechat-merchant mch_ids must be unique");
        }
        if (tlsDir != null && tlsPort == null) {
            throw new BadArguments("--wechat-tls-dir needs --wechat-tls-port");
        }
        if (tlsPort != null && tlsDir == null) {
            Path beside = stateFile == null ? null : stateFile.toAbsolutePath().getParent();
            tlsDir = beside == null ? Path.of("wechat-tls") : beside.resolve("wechat-tls");
        }
        return new Options(port, List.copyOf(merchants), stateFile, tlsPort, tlsDir, ystpayPort == null ? -1 : ystpayPort,
                List.copyOf(ystpay));
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
