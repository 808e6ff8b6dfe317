-- Gateway processes sharing the store, with their last heartbeat. An idempotency record left
-- IN_PROGRESS by an owner whose heartbeat is older than the lease belongs to a dead process and
-- may be taken over; one owned by a live process may not.
CREATE TABLE gateway_instance (
    owner        VARCHAR(64) NOT NULL PRIMARY KEY,
    heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL
);
