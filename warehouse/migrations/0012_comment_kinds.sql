-- core_comment_kinds grain: one row per live comment and imported item that idea detection has read, with its kind
-- (transforms.ideas.KINDS: idea, staff, tag, thanks, question, complaint, reaction, spam, off_topic) and the reason,
-- after planners' corrections (`topics include` / `exclude`). `comment_id` is the Facebook comment id, or
-- `<channel>:<item_id>` for an imported item (the id it has as an idea). Kept by kind, questions and complaints
-- included; rebuilt with the ideas, in the same transaction, which deletes a comment's row before it writes it again.
-- No primary key: DuckDB re-inserts deleted keys of an indexed table slowly (a full re-detection of a million comments
-- took 68 s with one, 1 s without).
create table core_comment_kinds (
    comment_id varchar not null,
    consultation varchar not null,
    channel varchar not null,
    kind varchar not null,
    kind_reason varchar not null
);

-- the planners' include/exclude verdicts (comment id -> is an idea) the last detection applied, as JSON: a comment
-- whose verdict changed since is read again, however old it is.
alter table core_idea_detection add column overrides varchar;

-- every consultation's detection starts again from all its comments, so every comment gets a kind.
delete from core_idea_detection;

-- `topics include` is a new action: topic_corrections is rebuilt without the check on `action` (DuckDB cannot drop
-- a check constraint; warehouse.corrections.ACTIONS is the list now). Ids and the sequence are kept.
create table topic_corrections_0012 (
    correction_id integer primary key default nextval('topic_correction_ids'),
    consultation varchar not null,
    action varchar not null,
    topic_id integer,
    target_topic_id integer,
    idea_id varchar,
    label varchar,
    created_by varchar not null,
    created_at timestamptz not null
);
insert into topic_corrections_0012
select correction_id, consultation, action, topic_id, target_topic_id, idea_id, label, created_by, created_at
from topic_corrections;
drop table topic_corrections;
alter table topic_corrections_0012 rename to topic_corrections;
