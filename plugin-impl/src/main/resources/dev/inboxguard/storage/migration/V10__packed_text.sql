-- An object's text packed (issue 17): for events of about 200 bytes the embedded file was over three times what it
-- held, and the text is most of a row. The store now deflates each text against a preset dictionary of iCalendar's
-- words (PackedText). A row says how its text is kept, and the text's length, which listings answer
-- getcontentlength with without unpacking. Rows written before stay as they are: packing 0 is the text as given.
ALTER TABLE objects ADD COLUMN packing SMALLINT DEFAULT 0 NOT NULL;
ALTER TABLE objects ADD COLUMN text_length INTEGER DEFAULT 0 NOT NULL;
UPDATE objects SET text_length = OCTET_LENGTH(data);
