-- ix_payment_order_status (status, updated_at) served no query: every read by status goes through
-- ix_payment_order_check (status, next_check_at) or ix_payment_order_method, and nothing orders
-- by updated_at. Yet every change of an order moves its updated_at, so each PAY, transition and
-- sweep check rewrote this index's entry in the same commit.
DROP INDEX ix_payment_order_status;
