package io.paygate.config;

/**
 * A merchant's own login on the message bus ({@code broker: {user, password}} in merchants.yaml):
 * it may send requests for that merchant only and read that merchant's replies and events
 * (docs/messaging.md, "Who may do what"). {@link #toString()} hides the password.
 */
public record BrokerLogin(String user, String password) {
    @Override
    public String toString() {
        return "BrokerLogin[" + user + "]";
    }
}
