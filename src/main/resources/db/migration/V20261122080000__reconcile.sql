-- Reconciliation (docs/reconciliation.md): when an unfinished order or a refund still PROCESSING is
-- next looked at, how often it has been, and who holds it now. A claim is a compare-and-set on
-- claim_until: two sweeps (or, clustered, two instances) never work on the same order at once.
ALTER TABLE payment_order ADD COLUMN next_check_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE payment_order ADD COLUMN check_count INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE payment_order ADD COLUMN claim_owner VARCHAR(80);
ALTER TABLE payment_order ADD COLUMN claim_until TIMESTAMP WITH TIME ZONE;
CREATE INDEX ix_payment_order_check ON payment_order (status, next_check_at);

ALTER TABLE order_refund ADD COLUMN next_check_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE order_refund ADD COLUMN check_count INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE order_refund ADD COLUMN claim_owner VARCHAR(80);
ALTER TABLE order_refund ADD COLUMN claim_until TIMESTAMP WITH TIME ZONE;
CREATE INDEX ix_order_refund_check ON order_refund (status, next_check_at);
