-- topic_corrections grain: one row per planner correction (who is a role or team, never a citizen).
create sequence topic_correction_ids start 1;

create table topic_corrections (
    correction_id integer primary key default nextval('topic_correction_ids'),
    consultation varchar not null,
    action varchar not null check (action in ('rename', 'merge', 'move', 'exclude')),
    topic_id integer,
    target_topic_id integer,
    idea_id varchar,
    label varchar,
    created_by varchar not null,
    created_at timestamptz not null
);

-- the model's own topic of each placement, so topic identity is matched on what the model found, and planners'
-- corrections are re-applied on top of it after every run.
alter table core_idea_topics add column model_topic_id integer;
alter table core_idea_topics add column model_label varchar;
alter table core_topics add column is_corrected boolean default false;
