package io.paygate.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The kept record of configuration loads (table {@code config_reload}): each applied or refused
 * reload, and the configuration applied at start. Holds names and hashes only, never a value.
 */
public final class ConfigHistory {
    private final Database db;

    public ConfigHistory(Database db) {
        this.db = db;
    }

    /**
     * One load.
     *
     * @param outcome applied or refused
     * @param trigger start, watch (a file changed) or admin (POST /admin/config/reload)
     * @param version the configuration version in force after it (this process's counter)
     * @param changes what changed, as JSON (merchant ids and key paths), null when refused
     * @param error the one-line error of a refused load, else null
     */
    public record Entry(Instant at, String outcome, String trigger, String contentHash, int version, String changes,
                        String error) {
    }

    public void add(Entry e) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO config_reload (happened_at, outcome, trigger_source, "
                    + "content_hash, config_version, changes, error) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setObject(1, e.at().atOffset(ZoneOffset.UTC));
                ps.setString(2, e.outcome());
                ps.setString(3, e.trigger());
                ps.setString(4, e.contentHash());
                ps.setInt(5, e.version());
                ps.setString(6, e.changes());
                ps.setString(7, e.error() == null ? null : e.error().length() > 4000 ? e.error().substring(0, 4000) : e.error());
                return ps.executeUpdate();
            }
        });
    }

    /** The newest {@code limit} entries, newest first. */
    public List<Entry> newest(int limit) {
        return db.inTransaction(c -> {
            List<Entry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT happened_at, outcome, trigger_source, content_hash, "
                    + "config_version, changes, error FROM config_reload ORDER BY id DESC")) {
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Entry(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getInt(5), rs.getString(6), rs.getString(7)));
                    }
                }
            }
            return out;
        });
    }
}
