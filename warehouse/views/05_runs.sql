-- runs: one row per flow run, with its parameters, counts and status.
create or replace view runs as
with source as (
    select * from core_runs
),

final as (
    select
        run_id,
        flow_name,
        deployment,
        parameters,
        status,
        message,
        started_at,
        finished_at,
        date_diff('millisecond', started_at, finished_at) / 1000.0 as duration_s,
        n_comments_fetched,
        n_comments_changed,
        n_ideas,
        n_topics
    from source
)

select * from final
order by started_at;
