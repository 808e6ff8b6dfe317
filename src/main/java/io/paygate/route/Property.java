package io.paygate.route;

import org.apache.camel.Exchange;

/**
 * One exchange property the routes and beans share: its name (as routes write it,
 * {@code ${exchangeProperty.<name>}}) and its type. Every one is declared in {@link RouteProperties}.
 */
public record Property<T>(String name, Class<T> type) {

    public T get(Exchange ex) {
        return ex.getProperty(name, type);
    }

    public T get(Exchange ex, T otherwise) {
        T v = ex.getProperty(name, type);
        return v == null ? otherwise : v;
    }

    public boolean isTrue(Exchange ex) {
        return Boolean.TRUE.equals(ex.getProperty(name));
    }

    public void set(Exchange ex, T value) {
        ex.setProperty(name, value);
    }

    public void remove(Exchange ex) {
        ex.removeProperty(name);
    }
}
