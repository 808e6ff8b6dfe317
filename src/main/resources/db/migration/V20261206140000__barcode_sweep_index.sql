-- The barcode sweep (every gateway.micro.sweep-ms, 1 s by default) looks for unfinished barcode
-- (MICRO) orders only. On ix_payment_order_check (status, next_check_at) it read every unfinished
-- order of every method, each second: with many QR/app orders waiting for their customer (NOTPAY
-- until paid or expired) that grew with the backlog. This index takes it to the barcode orders.
CREATE INDEX ix_payment_order_method ON payment_order (method, status, next_check_at);
