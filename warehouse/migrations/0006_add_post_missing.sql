-- stg_post_scans: whether the post itself answered "does not exist" (100/33) in that scan. A post is tombstoned only
-- when two scans in a row say so: the same answer also means "cannot be loaded due to missing permissions".
alter table stg_post_scans add column post_missing boolean default false;
