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
 *     [--state-file path] \
 *     [--ystpay-port 18092 --gateway-url http://127.0.0.1:8080 \
 *      --ystpay-merchant MERCHANTID:ACCOUNT:PASSWORD:PRIVATEKEY [--ystpay-merchant ...]] \
 *     [--pooul-port 18093 --pooul-keys DIR --pooul-merchant ID:classic:MD5KEY | ID:v2:PUBLIC_KEY_PEM ...]
 * </pre>
 *
 * Ystpay merchants use the default key settings (requestKey first16, padding zero, passwordMd5
 * upper); their notices go to {@code <gateway-url>/notify/ystpay/<MERCHANTID>}. The WeChat part
 * may be left out when Ystpay or Pooul merchants are given. The Pooul simulator (classic and v2)
 * keeps its platform key pair in, and makes it on first use in, {@code --pooul-keys}; gateways name
 * its {@code platform-public.pem}. Its notifications go to each order's notify_url.
 *
 * Prints {@code sandbox wechat listening on 127.0.0.1:<port>} once serving, and runs until the
 * process is stopped. API keys are never printed, not even in usage errors.
 */
public final class SandboxMain {

    private static final String USAGE = "usage: SandboxMain --wechat-port PORT"
            + " --wechat-merchant MCHID:APPID:APIKEY [--wechat-merchant ...] [--state-file PATH]"
            + " [--ystpay-port PORT --gateway-url URL --ystpay-merchant MERCHANTID:ACCOUNT:PASSWORD:PRIVATEKEY ...]"
            + " [--pooul-port PORT --pooul-keys DIR --pooul-merchant ID:classic:MD5KEY|ID:v2:PUBLIC_KEY_PEM ...]";

    /** The command line, parsed. */
    record Options(int wechatPort, List<Merchant> merchants, Path stateFile, int ystpayPort,
                   List<io.paygate.sandbox.ystpay.YstpaySimulator.Merchant> ystpayMerchants, int pooulPort,
                   List<PooulSimulator.Merchant> pooulMerchants, Path pooulKeys) {
        Options(int wechatPort, List<Merchant> merchants, Path stateFile) {
            this(wechatPort, merchants, stateFile, -1, List.of());
        }

        Options(int wechatPort, List<Merchant> merchants, Path stateFile, int ystpayPort,
                List<io.paygate.sandbox.ystpay.YstpaySimulator.Merchant> ystpayMerchants) {
            this(wechatPort, merchants, stateFile, ystpayPort, ystpayMerchants, -1, List.of(), null);
        }

        Options withPooul(int port, List<PooulSimulator.Merchant> pooul, Path keys) {
            return new Options(wechatPort, merchants, stateFile, ystpayPort, ystpayMerchants, port, pooul, keys);
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
        if (!options.merchants().isEmpty()) {
            WechatSimulator wechat = new WechatSimulator(options.wechatPort(), options.merchants(), options.stateFile());
            wechat.start();
            running.add(wechat);
            System.out.println("sandbox wechat listening on 127.0.0.1:" + wechat.port());
        }
        if (!options.ystpayMerchants().isEmpty()) {
            io.paygate.sandbox.ystpay.YstpaySimulator ystpay = new io.paygate.sandbox.ystpay.YstpaySimulator(
                    options.ystpayPort(), options.ystpayMerchants());
            ystpay.start();
            running.add(ystpay);
            System.out.println("sandbox ystpay listening on 127.0.0.1:" + ystpay.port());
        }
        if (!options.pooulMerchants().isEmpty()) {
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

    /** Splits off the Pooul options, then reads the rest as before. */
    static Options parse(String[] args) throws BadArguments {
        List<String> rest = new ArrayList<>();
        Integer pooulPort = null;
        Path pooulKeys = null;
        List<PooulSimulator.Merchant> pooul = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!List.of("--pooul-port", "--pooul-keys", "--pooul-merchant").contains(option)) {
                rest.add(option);
                if (i + 1 < args.length) {
                    rest.add(args[++i]);
                }
                continue;
            }
            if (i + 1 >= args.length) {
                throw new BadArguments(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--pooul-port" -> pooulPort = port(value, option);
                case "--pooul-keys" -> pooulKeys = Path.of(value);
                default -> pooul.add(pooulMerchant(value));
            }
        }
        if (pooulPort != null || !pooul.isEmpty()) {
            if (pooulPort == null || pooul.isEmpty() || pooulKeys == null) {
                throw new BadArguments("--pooul-port needs --pooul-keys and at least one --pooul-merchant");
            }
            if (rest.isEmpty()) {
                return new Options(-1, List.of(), null, -1, List.of()).withPooul(pooulPort, List.copyOf(pooul), pooulKeys);
            }
        }
        Options others = parseOthers(rest.toArray(new String[0]));
        return pooul.isEmpty() ? others : others.withPooul(pooulPort, List.copyOf(pooul), pooulKeys);
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

    private static Options parseOthers(String[] args) throws BadArguments {
        Integer port = null;
        List<Merchant> merchants = new ArrayList<>();
        Path stateFile = null;
        Integer ystpayPort = null;
        String gatewayUrl = null;
        List<String> ystpayValues = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (!List.of("--wechat-port", "--wechat-merchant", "--state-file", "--ystpay-port", "--gateway-url",
                    "--ystpay-merchant").contains(option)) {
                throw new BadArguments("unknown option at position " + (i + 1));
            }
            if (i + 1 >= args.length) {
                throw new BadArguments(option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--wechat-port" -> port = port(value);
                case "--wechat-merchant" -> merchants.add(merchant(value));
                case "--ystpay-port" -> ystpayPort = port(value);
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
                return new Options(-1, List.of(), stateFile, ystpayPort, List.copyOf(ystpay));
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
        return new Options(port, List.copyOf(merchants), stateFile, ystpayPort == null ? -1 : ystpayPort, List.copyOf(ystpay));
    }

    private static int port(String value) throws BadArguments {
        return port(value, "--wechat-port");
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
