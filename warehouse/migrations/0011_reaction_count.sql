-- stg_comments: every reaction on a comment (Like, Love, Care, Haha, Wow, Sad, Angry), from the Comment node's
-- reactions edge (`reactions.summary(total_count).limit(0)`); `like_count` counts Like only. Null until a scan has
-- read it (rows stored before this migration, or a token that is not given the total).
alter table stg_comments add column reaction_count integer;
