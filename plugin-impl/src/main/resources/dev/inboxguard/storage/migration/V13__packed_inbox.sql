-- Inbox items packed as objects' texts are (V10, PackedText): each delivery appends a row holding the whole message
-- to the inbox, and under load the embedded store rewrote the table's last page, tens of kilobytes, at almost every
-- commit (docs/benchmarks.md, "Inbox items packed"). A row says how its text is kept and the text's length, which
-- the inbox's listings and ETags use without unpacking. Rows written before stay as they are: packing 0 is the text
-- as given.
ALTER TABLE inbox ADD COLUMN packing SMALLINT DEFAULT 0 NOT NULL;
ALTER TABLE inbox ADD COLUMN text_length INTEGER DEFAULT 0 NOT NULL;
UPDATE inbox SET text_length = OCTET_LENGTH(data);
