-- The embedded store's group commit changes this row before each checkpoint, so that the checkpoint always has a
-- write of its own to make. H2 may already have handed the commits it covers to its background writer; the
-- checkpoint's own write queues behind that one, so the fsync after it covers both. PostgreSQL has the row and
-- never uses it.
CREATE TABLE store_checkpoints (id INT PRIMARY KEY, checkpoints BIGINT NOT NULL);
INSERT INTO store_checkpoints (id, checkpoints) VALUES (1, 0);
