-- stg_imported_items: what a social channel's items carry beyond a file's rows (Instagram comments, issue 21):
-- `like_count` (likes as the channel counts them), `parent_id` (the idea id `<channel>:<item_id>` of the comment a
-- reply answers), `is_hidden` (hidden by the account) and `is_page_reply` (written by the municipality's own
-- account). Null for items imported from files, which carry none of these.
alter table stg_imported_items add column like_count integer;
alter table stg_imported_items add column parent_id varchar;
alter table stg_imported_items add column is_hidden boolean;
alter table stg_imported_items add column is_page_reply boolean;
