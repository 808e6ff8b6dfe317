-- Short leases on a key, shared by every gateway on this store: who may do something at a time
-- (a Pooul API v2 refund between its calls). A lease ends when its holder deletes it, or by itself
-- at held_until, so a holder that died frees it.
CREATE TABLE lease (
    lease_key  VARCHAR(200) NOT NULL PRIMARY KEY,
    holder     VARCHAR(64)  NOT NULL,
    held_until TIMESTAMP WITH TIME ZONE NOT NULL
);
