-- Idempotency of canonical requests, keyed by (merchant, requestId), shared by HTTP and JMS.
-- A row is written IN_PROGRESS before the provider is called and COMPLETE with the answer.
CREATE TABLE idempotency_record (
    merchant      VARCHAR(64)  NOT NULL,
    request_id    VARCHAR(64)  NOT NULL,
    request_hash  VARCHAR(64)  NOT NULL,
    state         VARCHAR(16)  NOT NULL,
    owner         VARCHAR(64)  NOT NULL,
    http_status   INTEGER,
    response_body VARCHAR(16000),
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    completed_at  TIMESTAMP WITH TIME ZONE,
    CONSTRAINT pk_idempotency_record PRIMARY KEY (merchant, request_id)
);
