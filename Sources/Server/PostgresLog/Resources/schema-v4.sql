-- statusd's event log on PostgreSQL: from schema version 3 to 4 (docs/FORMAT.md, "The event log on
-- PostgreSQL"). Run like the earlier upgrades, in the transaction and under the advisory lock that
-- create the schema. Version 4 adds the delivery journal the leader keeps while it tells subscribers.

-- The cluster's delivery journal (docs/FORMAT.md "Delivery journal"): one row per mark, `mark` being
-- exactly a journal record's payload, in the order written (`id`). Only the leader delivers; a new
-- leader folds the rows and goes on after the last progress mark of each notification.
CREATE TABLE statusd_delivery_marks (
    id bigserial PRIMARY KEY,
    mark bytea NOT NULL
);
