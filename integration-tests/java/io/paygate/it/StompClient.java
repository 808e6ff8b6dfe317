package io.paygate.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * STOMP 1.2 over a raw socket, as a till without a JMS library speaks it: frames are a command
 * line, header lines, an empty line, a body and a NUL byte. Header values are escaped as the
 * specification asks (backslash, colon, CR, LF).
 */
final class StompClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    record Frame(String command, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** Connects and logs in; throws with the broker's message when the login is refused. */
    StompClient(int port, String login, String passcode) throws IOException {
        socket = new Socket("127.0.0.1", port);
        in = socket.getInputStream();
        out = socket.getOutputStream();
        write("CONNECT", Map.of("accept-version", "1.2", "host", "127.0.0.1", "login", login, "passcode", passcode,
                "heart-beat", "0,0"), null, false);
        Frame answer = receive(30_000);
        if (answer == null || !answer.command().equals("CONNECTED")) {
            close();
            throw new IOException("STOMP login refused: " + (answer == null ? "no answer" : answer.header("message")));
        }
    }

    /**
     * SEND with a receipt, waiting for it: the broker has the message (RECEIPT) or refused it (the
     * ERROR frame is returned).
     */
    Frame send(String destination, Map<String, String> headers, String body, boolean contentLength) throws IOException {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("destination", destination);
        String receipt = "r-" + System.nanoTime();
        h.put("receipt", receipt);
        write("SEND", h, body, contentLength);
        return receive(30_000);
    }

    /** SUBSCRIBE with a receipt (an ERROR frame when the login may not read the destination). */
    Frame subscribe(String id, String destination, String selector) throws IOException {
        return subscribe(id, destination, selector, Map.of());
    }

    /** SUBSCRIBE with more headers ({@code browser: true}, say). */
    Frame subscribe(String id, String destination, String selector, Map<String, String> more) throws IOException {
        Map<String, String> h = new LinkedHashMap<>(more);
        h.put("id", id);
        h.put("destination", destination);
        h.put("ack", "auto");
        if (selector != null) {
            h.put("selector", selector);
        }
        h.put("receipt", "s-" + id);
        write("SUBSCRIBE", h, null, false);
        return receive(30_000);
    }

    void write(String command, Map<String, String> headers, String body, boolean contentLength) throws IOException {
        StringBuilder f = new StringBuilder(command).append('\n');
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        headers.forEach((k, v) -> f.append(escape(k)).append(':').append(escape(v)).append('\n'));
        if (body != null && contentLength) {
            f.append("content-length:").append(bytes.length).append('\n');
        }
        f.append('\n');
        out.write(f.toString().getBytes(StandardCharsets.UTF_8));
        out.write(bytes);
        out.write(0);
        out.flush();
    }

    /** The next frame, or null when none comes within the time. */
    Frame receive(int timeoutMillis) throws IOException {
        socket.setSoTimeout(timeoutMillis);
        try {
            String command;
            do {
                command = line();
            } while (command.isEmpty()); // heart-beats and the EOLs after a frame's NUL
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l = line(); !l.isEmpty(); l = line()) {
                int colon = l.indexOf(':');
                headers.putIfAbsent(unescape(l.substring(0, colon)), unescape(l.substring(colon + 1)));
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            String length = headers.get("content-length");
            if (length != null) {
                body.write(in.readNBytes(Integer.parseInt(length)));
                in.read(); // the NUL
            } else {
                for (int b = in.read(); b > 0; b = in.read()) {
                    body.write(b);
                }
            }
            return new Frame(command, headers, body.toString(StandardCharsets.UTF_8));
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the broker closed the STOMP connection");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace(":", "\\c").replace("\n", "\\n").replace("\r", "\\r");
    }

    private static String unescape(String s) {
        return s.replace("\\c", ":").replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\");
    }

    boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
