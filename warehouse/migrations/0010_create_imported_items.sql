-- stg_imported_items grain: one row per item imported from a file into a consultation's channel (the notes of a
-- citizens' meeting, e-mails): `civic-ideas import`. `text` is as imported (like stg_comments.message; ideas are
-- redacted); the author cell is never stored, only its keyed hash `author_key` (null when the cell was empty).
-- `item_id` is the file's id column, or a hash of the text, date and author key when it has none. Re-importing a
-- row updates it; erased items are kept out by core_suppressions (kind 'imported_item', value `<channel>:<item_id>`).
create table stg_imported_items (
    consultation varchar not null,
    channel varchar not null,
    item_id varchar not null,
    text varchar not null,
    created_at timestamptz,
    author_key varchar,
    source_file varchar not null,
    first_imported_at timestamptz not null,
    last_imported_at timestamptz not null,
    primary key (consultation, channel, item_id)
);
