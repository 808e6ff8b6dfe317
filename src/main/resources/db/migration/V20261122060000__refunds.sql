-- Refunds of an order (docs/status.md, "Refunds"). A refund is keyed by the merchant's refundId
-- (out_refund_no / mch_refund_id; for providers without one it is the gateway's own key, bound to
-- the provider's refund id when the provider reports it). Status: PROCESSING, then SUCCESS or
-- FAILED, never back. request_id marks a reservation made before the provider call: it is released
-- when the provider refuses the refund outright.
CREATE TABLE order_refund (
    merchant           VARCHAR(64)  NOT NULL,
    refund_id          VARCHAR(64)  NOT NULL,
    order_id           VARCHAR(32)  NOT NULL,
    provider_refund_id VARCHAR(64),
    amount             BIGINT       NOT NULL,
    reason             VARCHAR(256),
    status             VARCHAR(16)  NOT NULL,
    request_id         VARCHAR(64),
    refunded_at        TIMESTAMP WITH TIME ZONE,
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_order_refund PRIMARY KEY (merchant, refund_id)
);

CREATE INDEX ix_order_refund_order ON order_refund (merchant, order_id, created_at);
CREATE INDEX ix_order_refund_status ON order_refund (status, updated_at);
