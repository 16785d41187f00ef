-- stg_post_scans: what kind of scan it was. 'full' reads every comment of the post (and may mark deletions);
-- 'new' reads only comments created since a time (the `since` parameter), between full rescans, and never deletes.
alter table stg_post_scans add column scan_kind varchar default 'full';
alter table stg_post_scans add column since_at timestamptz;
