-- core layer: runs, ideas and topic runs.
-- core_runs grain: one row per flow run.
create table core_runs (
    run_id varchar primary key,
    flow_name varchar not null,
    deployment varchar,
    parameters json,
    status varchar not null,
    message varchar,
    started_at timestamptz not null,
    finished_at timestamptz,
    n_comments_fetched integer,
    n_comments_changed integer,
    n_ideas integer,
    n_topics integer
);

-- core_ideas grain: one row per item judged to be an idea (rebuilt per consultation at each analysis).
create table core_ideas (
    idea_id varchar primary key,
    consultation varchar not null,
    channel varchar not null,
    text varchar not null,
    created_at timestamptz,
    like_count integer not null,
    reply_count integer not null,
    author_key varchar
);

-- core_topic_runs grain: one row per clustering of one consultation.
create table core_topic_runs (
    topic_run_id varchar primary key,
    run_id varchar not null,
    consultation varchar not null,
    created_at timestamptz not null,
    n_ideas integer not null,
    params json not null
);

-- core_topics grain: one row per topic of a topic run.
create table core_topics (
    topic_run_id varchar not null,
    consultation varchar not null,
    topic_id integer not null,
    label varchar not null,
    keywords varchar not null,
    n_ideas integer not null,
    n_authors integer not null,
    total_likes integer not null,
    status varchar not null,
    representative_ids json not null,
    primary key (topic_run_id, topic_id)
);

-- core_idea_topics grain: one row per idea per topic run.
create table core_idea_topics (
    topic_run_id varchar not null,
    consultation varchar not null,
    idea_id varchar not null,
    topic_id integer not null,
    score double not null,
    rank integer not null,
    primary key (topic_run_id, idea_id)
);
