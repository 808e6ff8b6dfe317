package io.paygate.store;

import java.sql.SQLException;

/**
 * The store refused a statement for a reason a retry does not change: its SQLState is of class 22
 * (data exception, e.g. a value too long), 23 (integrity constraint), 42 (syntax or access rule) or
 * 44 (check option). Not "the store is unavailable": a JMS request that meets it is rolled back
 * for the broker's redelivery and dead-letter queue, not answered "send it again" (routes/errors.yaml).
 */
public final class StoreRefusedException extends StoreException {
    public StoreRefusedException(SQLException cause) {
        super(cause);
    }

    /** Whether the failure is one a retry does not change. */
    static boolean refusal(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            String state = x.getSQLState();
            if (state != null && state.length() >= 2) {
                switch (state.substring(0, 2)) {
                    case "22", "23", "42", "44" -> {
                        return true;
                    }
                    default -> {
                    }
                }
            }
        }
        return false;
    }
}
