package io.paygate.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;

/**
 * Short leases on a key in the shared store, so that every gateway on one database agrees on who
 * may do something at a time (a Pooul API v2 refund between its calls). A lease ends when its
 * holder gives it back, or by itself at its time, so the lease of a process that died frees itself.
 * Each attempt is one short transaction: nothing is held open while the holder works.
 */
public final class Leases {
    private final Database db;
    private final Clock clock;

    public Leases(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Takes the lease on {@code key} for {@code holder} until {@code until} when nobody holds it, or
     * its holder's time has passed; false when someone else holds it now.
     */
    public boolean tryTake(String key, String holder, Instant until) {
        Instant now = clock.instant();
        try {
            return db.inTransaction(c -> {
                try (PreparedStatement up = c.prepareStatement(
                        "UPDATE lease SET holder = ?, held_until = ? WHERE lease_key = ? AND held_until <= ?")) {
                    up.setString(1, holder);
                    Ledger.setTime(up, 2, until);
                    up.setString(3, key);
                    Ledger.setTime(up, 4, now);
                    if (up.executeUpdate() == 1) {
                        return true;
                    }
                }
                try (PreparedStatement in = c.prepareStatement(
                        "INSERT INTO lease (lease_key, holder, held_until) VALUES (?, ?, ?)")) {
                    in.setString(1, key);
                    in.setString(2, holder);
                    Ledger.setTime(in, 3, until);
                    in.executeUpdate();
                    return true;
                }
            });
        } catch (StoreException e) {
            if (e.getCause() instanceof SQLException s && Database.isUniqueViolation(s)) {
                return false;
            }
            throw e;
        }
    }

    /** Gives the lease back, if {@code holder} still holds it (an expired one taken over stays the new holder's). */
    public void release(String key, String holder) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM lease WHERE lease_key = ? AND holder = ?")) {
                ps.setString(1, key);
                ps.setString(2, holder);
                return ps.executeUpdate();
            }
        });
    }
}
