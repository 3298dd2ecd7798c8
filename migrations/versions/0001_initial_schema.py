"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 02:04:32.552323
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


# Frozen output of gigbag.local_db.change_capture at this revision.
TRIGGERS = [
    "CREATE TRIGGER cc_artists_insert AFTER INSERT ON artists WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('artists', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_artists_update AFTER UPDATE OF created_at, updated_at, stage_name, legal_name, pronouns, location_city, location_state, location_country, location_zip, phone_number, bio, story, tagline, primary_genre, secondary_genres, influences, artist_type, equipment, daw, platforms, subscriptions, struggles, base_rate_flat, base_rate_hourly, rates_negotiable, largest_show_capacity, travel_radius_miles, available_weekdays, available_weekends, advance_booking_weeks, available_dates, time_split_creative, time_split_logistics, currently_making_music, confident_online_presence, struggles_creative_niche, knows_where_find_gigs, paid_fairly_performing, understands_royalties, tasks_outsource, sound_uniqueness, dream_venue, biggest_inspiration, favorite_create_time, platform_pain_point, website_url, instagram_handle, tiktok_handle, youtube_url, spotify_url, apple_music_url, soundcloud_url, facebook_url, twitter_url, bandcamp_url, avatar_url, banner_url, verified, avg_rating, total_reviews, total_gigs, total_earnings, profile_views, follower_count, step_1_complete, step_2_complete, step_3_complete, step_4_complete, step_5_complete ON artists WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('artists', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_artists_delete AFTER DELETE ON artists WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('artists', OLD.id, 'delete', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_user_preferences_insert AFTER INSERT ON user_preferences WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('user_preferences', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_user_preferences_update AFTER UPDATE OF created_at, updated_at, default_bpm, default_key_note, default_flavor, use_glass_ui, auto_play, show_beat_numbers, default_volume, theme, language, notifications_enabled, email_notifications ON user_preferences WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('user_preferences', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_user_preferences_delete AFTER DELETE ON user_preferences WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('user_preferences', OLD.id, 'delete', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_folders_insert AFTER INSERT ON folders WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('folders', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_folders_update AFTER UPDATE OF created_at, updated_at, name, parent_folder_id ON folders WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('folders', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_folders_delete AFTER DELETE ON folders WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('folders', OLD.id, 'delete', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_files_insert AFTER INSERT ON files WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('files', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_files_update AFTER UPDATE OF created_at, updated_at, filename, file_size_bytes, mime_type, blob_sha256, category, folder_id, duration_seconds ON files WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('files', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_files_delete AFTER DELETE ON files WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('files', OLD.id, 'delete', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_tracks_insert AFTER INSERT ON tracks WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('tracks', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_tracks_update AFTER UPDATE OF created_at, updated_at, title, duration_seconds, audio_file_id, cover_file_id, preview_file_id, genre, release_year, spotify_url, apple_music_url, soundcloud_url, display_order, plays ON tracks WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('tracks', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_tracks_delete AFTER DELETE ON tracks WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('tracks', OLD.id, 'delete', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_goals_insert AFTER INSERT ON goals WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('goals', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_goals_update AFTER UPDATE OF created_at, updated_at, title, description, target_value, goal_type, target_date, completed, status ON goals WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('goals', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_goals_delete AFTER DELETE ON goals WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('goals', OLD.id, 'delete', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_goal_progress_insert AFTER INSERT ON goal_progress WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('goal_progress', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_goal_progress_update AFTER UPDATE OF created_at, updated_at, goal_id, value, note, recorded_at ON goal_progress WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('goal_progress', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_goal_progress_delete AFTER DELETE ON goal_progress WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('goal_progress', OLD.id, 'delete', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_timeline_entries_insert AFTER INSERT ON timeline_entries WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('timeline_entries', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_timeline_entries_update AFTER UPDATE OF created_at, updated_at, date, title, description, entry_type ON timeline_entries WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('timeline_entries', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_timeline_entries_delete AFTER DELETE ON timeline_entries WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('timeline_entries', OLD.id, 'delete', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_journal_entries_insert AFTER INSERT ON journal_entries WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('journal_entries', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_journal_entries_update AFTER UPDATE OF created_at, updated_at, title, content, entry_type ON journal_entries WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('journal_entries', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_journal_entries_delete AFTER DELETE ON journal_entries WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('journal_entries', OLD.id, 'delete', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_patterns_insert AFTER INSERT ON patterns WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('patterns', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_patterns_update AFTER UPDATE OF created_at, updated_at, title, description, flavor, bpm, key_note, is_public, configuration, thumbnail_url, original_pattern_id, published_at ON patterns WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('patterns', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_patterns_delete AFTER DELETE ON patterns WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('patterns', OLD.id, 'delete', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_contact_lists_insert AFTER INSERT ON contact_lists WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('contact_lists', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_contact_lists_update AFTER UPDATE OF created_at, updated_at, name, description ON contact_lists WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('contact_lists', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_contact_lists_delete AFTER DELETE ON contact_lists WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('contact_lists', OLD.id, 'delete', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_contact_list_members_insert AFTER INSERT ON contact_list_members WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('contact_list_members', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_contact_list_members_update AFTER UPDATE OF created_at, updated_at, list_id, email, phone, name, opted_in_email, opted_in_sms ON contact_list_members WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('contact_list_members', NEW.id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    "CREATE TRIGGER cc_contact_list_members_delete AFTER DELETE ON contact_list_members WHEN COALESCE((SELECT suppressed FROM change_capture WHERE id = 1), 0) = 0 BEGIN INSERT INTO change_log (entity_type, entity_id, op, changed_at) VALUES ('contact_list_members', OLD.id, 'delete', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END",
    'CREATE TRIGGER dv_goal_progress_insert AFTER INSERT ON goal_progress BEGIN UPDATE goals SET current_value = current_value + NEW.value WHERE id = NEW.goal_id; END',
    'CREATE TRIGGER dv_goal_progress_delete AFTER DELETE ON goal_progress BEGIN UPDATE goals SET current_value = current_value - OLD.value WHERE id = OLD.goal_id; END',
    'CREATE TRIGGER dv_goal_progress_update AFTER UPDATE OF value, goal_id ON goal_progress BEGIN UPDATE goals SET current_value = current_value - OLD.value WHERE id = OLD.goal_id; UPDATE goals SET current_value = current_value + NEW.value WHERE id = NEW.goal_id; END',
    'CREATE TRIGGER dv_files_insert AFTER INSERT ON files BEGIN UPDATE storage_quotas SET used_bytes = used_bytes + NEW.file_size_bytes WHERE id = 1; END',
    'CREATE TRIGGER dv_files_delete AFTER DELETE ON files BEGIN UPDATE storage_quotas SET used_bytes = used_bytes - OLD.file_size_bytes WHERE id = 1; END',
    'CREATE TRIGGER dv_files_update AFTER UPDATE OF file_size_bytes ON files BEGIN UPDATE storage_quotas SET used_bytes = used_bytes - OLD.file_size_bytes + NEW.file_size_bytes WHERE id = 1; END',
]

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('artists',
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('stage_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('legal_name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('pronouns', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('location_city', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('location_state', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('location_country', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('location_zip', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('phone_number', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('bio', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('story', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('tagline', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('primary_genre', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('secondary_genres', sa.JSON(), nullable=False),
    sa.Column('influences', sa.JSON(), nullable=False),
    sa.Column('artist_type', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('equipment', sa.JSON(), nullable=False),
    sa.Column('daw', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('platforms', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('subscriptions', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('struggles', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('base_rate_flat', sa.Integer(), nullable=True),
    sa.Column('base_rate_hourly', sa.Integer(), nullable=True),
    sa.Column('rates_negotiable', sa.Boolean(), nullable=False),
    sa.Column('largest_show_capacity', sa.Integer(), nullable=True),
    sa.Column('travel_radius_miles', sa.Integer(), nullable=True),
    sa.Column('available_weekdays', sa.Boolean(), nullable=False),
    sa.Column('available_weekends', sa.Boolean(), nullable=False),
    sa.Column('advance_booking_weeks', sa.Integer(), nullable=True),
    sa.Column('available_dates', sa.JSON(), nullable=False),
    sa.Column('time_split_creative', sa.Integer(), nullable=True),
    sa.Column('time_split_logistics', sa.Integer(), nullable=True),
    sa.Column('currently_making_music', sa.Boolean(), nullable=True),
    sa.Column('confident_online_presence', sa.Boolean(), nullable=True),
    sa.Column('struggles_creative_niche', sa.Boolean(), nullable=True),
    sa.Column('knows_where_find_gigs', sa.Boolean(), nullable=True),
    sa.Column('paid_fairly_performing', sa.Boolean(), nullable=True),
    sa.Column('understands_royalties', sa.Boolean(), nullable=True),
    sa.Column('tasks_outsource', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('sound_uniqueness', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('dream_venue', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('biggest_inspiration', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('favorite_create_time', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('platform_pain_point', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('website_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('instagram_handle', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('tiktok_handle', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('youtube_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('spotify_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('apple_music_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('soundcloud_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('facebook_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('twitter_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('bandcamp_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('avatar_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('banner_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('avg_rating', sa.Float(), nullable=True),
    sa.Column('total_reviews', sa.Integer(), nullable=False),
    sa.Column('total_gigs', sa.Integer(), nullable=False),
    sa.Column('total_earnings', sa.Integer(), nullable=False),
    sa.Column('profile_views', sa.Integer(), nullable=False),
    sa.Column('follower_count', sa.Integer(), nullable=False),
    sa.Column('step_1_complete', sa.Boolean(), nullable=False),
    sa.Column('step_2_complete', sa.Boolean(), nullable=False),
    sa.Column('step_3_complete', sa.Boolean(), nullable=False),
    sa.Column('step_4_complete', sa.Boolean(), nullable=False),
    sa.Column('step_5_complete', sa.Boolean(), nullable=False),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.CheckConstraint("advance_booking_weeks IS NULL OR (typeof(advance_booking_weeks) = 'integer')", name='ck_artists_advance_booking_weeks_1'),
    sa.CheckConstraint("available_dates IS NULL OR (json_valid(available_dates) AND json_type(available_dates) = 'array')", name='ck_artists_available_dates_0'),
    sa.CheckConstraint("base_rate_flat IS NULL OR (typeof(base_rate_flat) = 'integer')", name='ck_artists_base_rate_flat_1'),
    sa.CheckConstraint("base_rate_hourly IS NULL OR (typeof(base_rate_hourly) = 'integer')", name='ck_artists_base_rate_hourly_1'),
    sa.CheckConstraint("created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_artists_created_at_0'),
    sa.CheckConstraint("equipment IS NULL OR (json_valid(equipment) AND json_type(equipment) = 'array')", name='ck_artists_equipment_0'),
    sa.CheckConstraint("follower_count IS NULL OR (typeof(follower_count) = 'integer')", name='ck_artists_follower_count_1'),
    sa.CheckConstraint("influences IS NULL OR (json_valid(influences) AND json_type(influences) = 'array')", name='ck_artists_influences_0'),
    sa.CheckConstraint("largest_show_capacity IS NULL OR (typeof(largest_show_capacity) = 'integer')", name='ck_artists_largest_show_capacity_1'),
    sa.CheckConstraint("profile_views IS NULL OR (typeof(profile_views) = 'integer')", name='ck_artists_profile_views_1'),
    sa.CheckConstraint("secondary_genres IS NULL OR (json_valid(secondary_genres) AND json_type(secondary_genres) = 'array')", name='ck_artists_secondary_genres_0'),
    sa.CheckConstraint("time_split_creative IS NULL OR (typeof(time_split_creative) = 'integer')", name='ck_artists_time_split_creative_2'),
    sa.CheckConstraint("time_split_logistics IS NULL OR (typeof(time_split_logistics) = 'integer')", name='ck_artists_time_split_logistics_2'),
    sa.CheckConstraint("total_earnings IS NULL OR (typeof(total_earnings) = 'integer')", name='ck_artists_total_earnings_1'),
    sa.CheckConstraint("total_gigs IS NULL OR (typeof(total_gigs) = 'integer')", name='ck_artists_total_gigs_1'),
    sa.CheckConstraint("total_reviews IS NULL OR (typeof(total_reviews) = 'integer')", name='ck_artists_total_reviews_1'),
    sa.CheckConstraint("travel_radius_miles IS NULL OR (typeof(travel_radius_miles) = 'integer')", name='ck_artists_travel_radius_miles_1'),
    sa.CheckConstraint("updated_at IS NULL OR (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_artists_updated_at_0'),
    sa.CheckConstraint('advance_booking_weeks IS NULL OR (advance_booking_weeks >= 0)', name='ck_artists_advance_booking_weeks_0'),
    sa.CheckConstraint('available_weekdays IS NULL OR (available_weekdays IN (0, 1))', name='ck_artists_available_weekdays_0'),
    sa.CheckConstraint('available_weekends IS NULL OR (available_weekends IN (0, 1))', name='ck_artists_available_weekends_0'),
    sa.CheckConstraint('avg_rating IS NULL OR (avg_rating <= 5)', name='ck_artists_avg_rating_1'),
    sa.CheckConstraint('avg_rating IS NULL OR (avg_rating >= 0)', name='ck_artists_avg_rating_0'),
    sa.CheckConstraint('base_rate_flat IS NULL OR (base_rate_flat >= 0)', name='ck_artists_base_rate_flat_0'),
    sa.CheckConstraint('base_rate_hourly IS NULL OR (base_rate_hourly >= 0)', name='ck_artists_base_rate_hourly_0'),
    sa.CheckConstraint('confident_online_presence IS NULL OR (confident_online_presence IN (0, 1))', name='ck_artists_confident_online_presence_0'),
    sa.CheckConstraint('currently_making_music IS NULL OR (currently_making_music IN (0, 1))', name='ck_artists_currently_making_music_0'),
    sa.CheckConstraint('follower_count IS NULL OR (follower_count >= 0)', name='ck_artists_follower_count_0'),
    sa.CheckConstraint('knows_where_find_gigs IS NULL OR (knows_where_find_gigs IN (0, 1))', name='ck_artists_knows_where_find_gigs_0'),
    sa.CheckConstraint('largest_show_capacity IS NULL OR (largest_show_capacity >= 0)', name='ck_artists_largest_show_capacity_0'),
    sa.CheckConstraint('paid_fairly_performing IS NULL OR (paid_fairly_performing IN (0, 1))', name='ck_artists_paid_fairly_performing_0'),
    sa.CheckConstraint('profile_views IS NULL OR (profile_views >= 0)', name='ck_artists_profile_views_0'),
    sa.CheckConstraint('rates_negotiable IS NULL OR (rates_negotiable IN (0, 1))', name='ck_artists_rates_negotiable_0'),
    sa.CheckConstraint('stage_name IS NULL OR (length(stage_name) >= 1)', name='ck_artists_stage_name_0'),
    sa.CheckConstraint('step_1_complete IS NULL OR (step_1_complete IN (0, 1))', name='ck_artists_step_1_complete_0'),
    sa.CheckConstraint('step_2_complete IS NULL OR (step_2_complete IN (0, 1))', name='ck_artists_step_2_complete_0'),
    sa.CheckConstraint('step_3_complete IS NULL OR (step_3_complete IN (0, 1))', name='ck_artists_step_3_complete_0'),
    sa.CheckConstraint('step_4_complete IS NULL OR (step_4_complete IN (0, 1))', name='ck_artists_step_4_complete_0'),
    sa.CheckConstraint('step_5_complete IS NULL OR (step_5_complete IN (0, 1))', name='ck_artists_step_5_complete_0'),
    sa.CheckConstraint('struggles_creative_niche IS NULL OR (struggles_creative_niche IN (0, 1))', name='ck_artists_struggles_creative_niche_0'),
    sa.CheckConstraint('time_split_creative IS NULL OR (time_split_creative <= 100)', name='ck_artists_time_split_creative_1'),
    sa.CheckConstraint('time_split_creative IS NULL OR (time_split_creative >= 0)', name='ck_artists_time_split_creative_0'),
    sa.CheckConstraint('time_split_logistics IS NULL OR (time_split_logistics <= 100)', name='ck_artists_time_split_logistics_1'),
    sa.CheckConstraint('time_split_logistics IS NULL OR (time_split_logistics >= 0)', name='ck_artists_time_split_logistics_0'),
    sa.CheckConstraint('total_earnings IS NULL OR (total_earnings >= 0)', name='ck_artists_total_earnings_0'),
    sa.CheckConstraint('total_gigs IS NULL OR (total_gigs >= 0)', name='ck_artists_total_gigs_0'),
    sa.CheckConstraint('total_reviews IS NULL OR (total_reviews >= 0)', name='ck_artists_total_reviews_0'),
    sa.CheckConstraint('travel_radius_miles IS NULL OR (travel_radius_miles >= 0)', name='ck_artists_travel_radius_miles_0'),
    sa.CheckConstraint('understands_royalties IS NULL OR (understands_royalties IN (0, 1))', name='ck_artists_understands_royalties_0'),
    sa.CheckConstraint('verified IS NULL OR (verified IN (0, 1))', name='ck_artists_verified_0'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id')
    )
    with op.batch_alter_table('artists', schema=None) as batch_op:
        batch_op.create_index('idx_artists_genre', ['primary_genre'], unique=False)
        batch_op.create_index('idx_artists_location', ['location_city', 'location_state'], unique=False)
        batch_op.create_index('idx_artists_rating', ['avg_rating'], unique=False)
        batch_op.create_index('idx_artists_verified', ['verified'], unique=False)

    op.create_table('blob_transfers',
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('upload_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('bytes_done', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', 'direction')
    )
    op.create_table('change_capture',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('suppressed', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('change_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('op', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('changed_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index('idx_change_log_entity', ['entity_type', 'entity_id'], unique=False)

    op.create_table('contact_lists',
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.CheckConstraint("created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_contact_lists_created_at_0'),
    sa.CheckConstraint("updated_at IS NULL OR (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_contact_lists_updated_at_0'),
    sa.CheckConstraint('name IS NULL OR (length(name) >= 1)', name='ck_contact_lists_name_0'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('folders',
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('parent_folder_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.CheckConstraint("created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_folders_created_at_0'),
    sa.CheckConstraint("updated_at IS NULL OR (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_folders_updated_at_0'),
    sa.CheckConstraint('name IS NULL OR (length(name) >= 1)', name='ck_folders_name_0'),
    sa.ForeignKeyConstraint(['parent_folder_id'], ['folders.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('folders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_folders_parent_folder_id'), ['parent_folder_id'], unique=False)

    op.create_table('goals',
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('target_value', sa.Float(), nullable=True),
    sa.Column('goal_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('target_date', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('current_value', sa.Float(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint("created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_goals_created_at_0'),
    sa.CheckConstraint("goal_type IS NULL OR (goal_type IN ('earnings', 'gigs', 'followers', 'tracks', 'custom'))", name='ck_goals_goal_type_0'),
    sa.CheckConstraint("status IS NULL OR (status IN ('active', 'completed', 'abandoned'))", name='ck_goals_status_0'),
    sa.CheckConstraint("target_date IS NULL OR (target_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND date(target_date) IS NOT NULL)", name='ck_goals_target_date_0'),
    sa.CheckConstraint("updated_at IS NULL OR (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_goals_updated_at_0'),
    sa.CheckConstraint('completed IS NULL OR (completed IN (0, 1))', name='ck_goals_completed_0'),
    sa.CheckConstraint('target_value IS NULL OR (target_value >= 0)', name='ck_goals_target_value_0'),
    sa.CheckConstraint('title IS NULL OR (length(title) >= 1)', name='ck_goals_title_0'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.create_index('idx_goals_completed', ['completed'], unique=False)
        batch_op.create_index('idx_goals_status', ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_goals_target_date'), ['target_date'], unique=False)

    op.create_table('journal_entries',
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('entry_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.CheckConstraint("content IS NULL OR (json_valid(content) AND json_type(content) = 'array')", name='ck_journal_entries_content_0'),
    sa.CheckConstraint("created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_journal_entries_created_at_0'),
    sa.CheckConstraint("entry_type IS NULL OR (entry_type IN ('song_idea', 'set_plan', 'general_note'))", name='ck_journal_entries_entry_type_0'),
    sa.CheckConstraint("updated_at IS NULL OR (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_journal_entries_updated_at_0'),
    sa.CheckConstraint('title IS NULL OR (length(title) >= 1)', name='ck_journal_entries_title_0'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('patterns',
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('flavor', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('bpm', sa.Integer(), nullable=False),
    sa.Column('key_note', sa.Integer(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('configuration', sa.JSON(), nullable=False),
    sa.Column('thumbnail_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('original_pattern_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('published_at', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.CheckConstraint("bpm IS NULL OR (typeof(bpm) = 'integer')", name='ck_patterns_bpm_2'),
    sa.CheckConstraint("configuration IS NULL OR (json_valid(configuration) AND json_type(configuration) = 'object')", name='ck_patterns_configuration_0'),
    sa.CheckConstraint("created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_patterns_created_at_0'),
    sa.CheckConstraint("flavor IS NULL OR (flavor IN ('Salsa', 'Merengue'))", name='ck_patterns_flavor_0'),
    sa.CheckConstraint("key_note IS NULL OR (typeof(key_note) = 'integer')", name='ck_patterns_key_note_2'),
    sa.CheckConstraint("published_at IS NULL OR (published_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_patterns_published_at_0'),
    sa.CheckConstraint("updated_at IS NULL OR (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_patterns_updated_at_0'),
    sa.CheckConstraint('bpm IS NULL OR (bpm <= 250)', name='ck_patterns_bpm_1'),
    sa.CheckConstraint('bpm IS NULL OR (bpm >= 80)', name='ck_patterns_bpm_0'),
    sa.CheckConstraint('is_public IS NULL OR (is_public IN (0, 1))', name='ck_patterns_is_public_0'),
    sa.CheckConstraint('key_note IS NULL OR (key_note <= 11)', name='ck_patterns_key_note_1'),
    sa.CheckConstraint('key_note IS NULL OR (key_note >= 0)', name='ck_patterns_key_note_0'),
    sa.CheckConstraint('title IS NULL OR (length(title) >= 1)', name='ck_patterns_title_0'),
    sa.ForeignKeyConstraint(['original_pattern_id'], ['patterns.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('patterns', schema=None) as batch_op:
        batch_op.create_index('idx_patterns_flavor', ['flavor'], unique=False)
        batch_op.create_index('idx_patterns_created_at', ['created_at'], unique=False)
        batch_op.create_index('idx_patterns_is_public', ['is_public'], unique=False)
        batch_op.create_index(batch_op.f('ix_patterns_original_pattern_id'), ['original_pattern_id'], unique=False)

    op.create_table('storage_quotas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('used_bytes', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('limit_bytes', sa.Integer(), server_default=sa.text('(53687091200)'), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('sync_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('server_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('device_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('bound_user_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('last_sync_at', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('sync_base',
    sa.Column('entity_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('checksum', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('entity_type', 'entity_id')
    )
    op.create_table('sync_batches',
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('last_change_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('idempotency_key')
    )
    op.create_table('sync_conflicts',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('entity_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('local_data', sa.JSON(), nullable=True),
    sa.Column('remote_data', sa.JSON(), nullable=True),
    sa.Column('remote_checksum', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('base_data', sa.JSON(), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entity_type', 'entity_id')
    )
    op.create_table('timeline_entries',
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('date', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('entry_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.CheckConstraint("created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_timeline_entries_created_at_0'),
    sa.CheckConstraint("date IS NULL OR (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND date(date) IS NOT NULL)", name='ck_timeline_entries_date_0'),
    sa.CheckConstraint("entry_type IS NULL OR (entry_type IN ('gig', 'release', 'milestone', 'other'))", name='ck_timeline_entries_entry_type_0'),
    sa.CheckConstraint("updated_at IS NULL OR (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_timeline_entries_updated_at_0'),
    sa.CheckConstraint('title IS NULL OR (length(title) >= 1)', name='ck_timeline_entries_title_0'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('timeline_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timeline_entries_date'), ['date'], unique=False)

    op.create_table('user_preferences',
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('default_bpm', sa.Integer(), nullable=False),
    sa.Column('default_key_note', sa.Integer(), nullable=False),
    sa.Column('default_flavor', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('use_glass_ui', sa.Boolean(), nullable=False),
    sa.Column('auto_play', sa.Boolean(), nullable=False),
    sa.Column('show_beat_numbers', sa.Boolean(), nullable=False),
    sa.Column('default_volume', sa.Float(), nullable=False),
    sa.Column('theme', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('notifications_enabled', sa.Boolean(), nullable=False),
    sa.Column('email_notifications', sa.Boolean(), nullable=False),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.CheckConstraint("created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_user_preferences_created_at_0'),
    sa.CheckConstraint("default_bpm IS NULL OR (typeof(default_bpm) = 'integer')", name='ck_user_preferences_default_bpm_2'),
    sa.CheckConstraint("default_flavor IS NULL OR (default_flavor IN ('Salsa', 'Merengue'))", name='ck_user_preferences_default_flavor_0'),
    sa.CheckConstraint("default_key_note IS NULL OR (typeof(default_key_note) = 'integer')", name='ck_user_preferences_default_key_note_2'),
    sa.CheckConstraint("theme IS NULL OR (theme IN ('light', 'dark', 'auto'))", name='ck_user_preferences_theme_0'),
    sa.CheckConstraint("updated_at IS NULL OR (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_user_preferences_updated_at_0'),
    sa.CheckConstraint('auto_play IS NULL OR (auto_play IN (0, 1))', name='ck_user_preferences_auto_play_0'),
    sa.CheckConstraint('default_bpm IS NULL OR (default_bpm <= 250)', name='ck_user_preferences_default_bpm_1'),
    sa.CheckConstraint('default_bpm IS NULL OR (default_bpm >= 80)', name='ck_user_preferences_default_bpm_0'),
    sa.CheckConstraint('default_key_note IS NULL OR (default_key_note <= 11)', name='ck_user_preferences_default_key_note_1'),
    sa.CheckConstraint('default_key_note IS NULL OR (default_key_note >= 0)', name='ck_user_preferences_default_key_note_0'),
    sa.CheckConstraint('default_volume IS NULL OR (default_volume <= 1)', name='ck_user_preferences_default_volume_1'),
    sa.CheckConstraint('default_volume IS NULL OR (default_volume >= 0)', name='ck_user_preferences_default_volume_0'),
    sa.CheckConstraint('email_notifications IS NULL OR (email_notifications IN (0, 1))', name='ck_user_preferences_email_notifications_0'),
    sa.CheckConstraint('language IS NULL OR (length(language) >= 2)', name='ck_user_preferences_language_0'),
    sa.CheckConstraint('notifications_enabled IS NULL OR (notifications_enabled IN (0, 1))', name='ck_user_preferences_notifications_enabled_0'),
    sa.CheckConstraint('show_beat_numbers IS NULL OR (show_beat_numbers IN (0, 1))', name='ck_user_preferences_show_beat_numbers_0'),
    sa.CheckConstraint('use_glass_ui IS NULL OR (use_glass_ui IN (0, 1))', name='ck_user_preferences_use_glass_ui_0'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('contact_list_members',
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('list_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('opted_in_email', sa.Boolean(), nullable=False),
    sa.Column('opted_in_sms', sa.Boolean(), nullable=False),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.CheckConstraint("created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_contact_list_members_created_at_0'),
    sa.CheckConstraint("updated_at IS NULL OR (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_contact_list_members_updated_at_0'),
    sa.CheckConstraint('opted_in_email IS NULL OR (opted_in_email IN (0, 1))', name='ck_contact_list_members_opted_in_email_0'),
    sa.CheckConstraint('opted_in_sms IS NULL OR (opted_in_sms IN (0, 1))', name='ck_contact_list_members_opted_in_sms_0'),
    sa.ForeignKeyConstraint(['list_id'], ['contact_lists.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('contact_list_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_list_members_list_id'), ['list_id'], unique=False)

    op.create_table('files',
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('file_size_bytes', sa.Integer(), nullable=False),
    sa.Column('mime_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('blob_sha256', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('folder_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('duration_seconds', sa.Float(), nullable=True),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.CheckConstraint("blob_sha256 IS NULL OR (length(blob_sha256) = 64 AND blob_sha256 NOT GLOB '*[^0-9a-f]*')", name='ck_files_blob_sha256_0'),
    sa.CheckConstraint("category IS NULL OR (category IN ('press_photo', 'music', 'video', 'document', 'other'))", name='ck_files_category_0'),
    sa.CheckConstraint("created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_files_created_at_0'),
    sa.CheckConstraint("file_size_bytes IS NULL OR (typeof(file_size_bytes) = 'integer')", name='ck_files_file_size_bytes_1'),
    sa.CheckConstraint("updated_at IS NULL OR (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_files_updated_at_0'),
    sa.CheckConstraint('duration_seconds IS NULL OR (duration_seconds >= 0)', name='ck_files_duration_seconds_0'),
    sa.CheckConstraint('file_size_bytes IS NULL OR (file_size_bytes >= 0)', name='ck_files_file_size_bytes_0'),
    sa.CheckConstraint('filename IS NULL OR (length(filename) >= 1)', name='ck_files_filename_0'),
    sa.ForeignKeyConstraint(['folder_id'], ['folders.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.create_index('idx_files_category', ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_files_blob_sha256'), ['blob_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_files_folder_id'), ['folder_id'], unique=False)

    op.create_table('goal_progress',
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('goal_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('recorded_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.CheckConstraint("created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_goal_progress_created_at_0'),
    sa.CheckConstraint("recorded_at IS NULL OR (recorded_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_goal_progress_recorded_at_0'),
    sa.CheckConstraint("updated_at IS NULL OR (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_goal_progress_updated_at_0'),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('goal_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_progress_goal_id'), ['goal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_progress_recorded_at'), ['recorded_at'], unique=False)

    op.create_table('tracks',
    sa.Column('created_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('duration_seconds', sa.Float(), nullable=True),
    sa.Column('audio_file_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('cover_file_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('preview_file_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('genre', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('release_year', sa.Integer(), nullable=True),
    sa.Column('spotify_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('apple_music_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('soundcloud_url', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('display_order', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('plays', sa.Integer(), nullable=False),
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.CheckConstraint("created_at IS NULL OR (created_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_tracks_created_at_0'),
    sa.CheckConstraint("plays IS NULL OR (typeof(plays) = 'integer')", name='ck_tracks_plays_1'),
    sa.CheckConstraint("release_year IS NULL OR (typeof(release_year) = 'integer')", name='ck_tracks_release_year_2'),
    sa.CheckConstraint("updated_at IS NULL OR (updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]*Z')", name='ck_tracks_updated_at_0'),
    sa.CheckConstraint('display_order IS NULL OR (length(display_order) >= 1)', name='ck_tracks_display_order_0'),
    sa.CheckConstraint('duration_seconds IS NULL OR (duration_seconds >= 0)', name='ck_tracks_duration_seconds_0'),
    sa.CheckConstraint('plays IS NULL OR (plays >= 0)', name='ck_tracks_plays_0'),
    sa.CheckConstraint('release_year IS NULL OR (release_year <= 2200)', name='ck_tracks_release_year_1'),
    sa.CheckConstraint('release_year IS NULL OR (release_year >= 1900)', name='ck_tracks_release_year_0'),
    sa.CheckConstraint('title IS NULL OR (length(title) >= 1)', name='ck_tracks_title_0'),
    sa.ForeignKeyConstraint(['audio_file_id'], ['files.id'], ),
    sa.ForeignKeyConstraint(['cover_file_id'], ['files.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['preview_file_id'], ['files.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tracks_audio_file_id'), ['audio_file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tracks_display_order'), ['display_order'], unique=False)
        batch_op.create_index(batch_op.f('ix_tracks_genre'), ['genre'], unique=False)

    # ### end Alembic commands ###
    op.execute("INSERT INTO change_capture (id, suppressed) VALUES (1, 0)")
    op.execute("INSERT INTO storage_quotas (id, used_bytes, limit_bytes) VALUES (1, 0, 53687091200)")
    for statement in TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for statement in TRIGGERS:
        op.execute("DROP TRIGGER IF EXISTS " + statement.split()[2])
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('tracks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tracks_genre'))
        batch_op.drop_index(batch_op.f('ix_tracks_display_order'))
        batch_op.drop_index(batch_op.f('ix_tracks_audio_file_id'))

    op.drop_table('tracks')
    with op.batch_alter_table('goal_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_progress_recorded_at'))
        batch_op.drop_index(batch_op.f('ix_goal_progress_goal_id'))

    op.drop_table('goal_progress')
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_files_folder_id'))
        batch_op.drop_index(batch_op.f('ix_files_blob_sha256'))
        batch_op.drop_index('idx_files_category')

    op.drop_table('files')
    with op.batch_alter_table('contact_list_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_list_members_list_id'))

    op.drop_table('contact_list_members')
    op.drop_table('user_preferences')
    with op.batch_alter_table('timeline_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timeline_entries_date'))

    op.drop_table('timeline_entries')
    op.drop_table('sync_conflicts')
    op.drop_table('sync_batches')
    op.drop_table('sync_base')
    op.drop_table('sync_account')
    op.drop_table('storage_quotas')
    with op.batch_alter_table('patterns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patterns_original_pattern_id'))
        batch_op.drop_index('idx_patterns_is_public')
        batch_op.drop_index('idx_patterns_flavor')
        batch_op.drop_index('idx_patterns_created_at')

    op.drop_table('patterns')
    op.drop_table('journal_entries')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goals_target_date'))
        batch_op.drop_index('idx_goals_status')
        batch_op.drop_index('idx_goals_completed')

    op.drop_table('goals')
    with op.batch_alter_table('folders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_folders_parent_folder_id'))

    op.drop_table('folders')
    op.drop_table('contact_lists')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index('idx_change_log_entity')

    op.drop_table('change_log')
    op.drop_table('change_capture')
    op.drop_table('blob_transfers')
    with op.batch_alter_table('artists', schema=None) as batch_op:
        batch_op.drop_index('idx_artists_verified')
        batch_op.drop_index('idx_artists_rating')
        batch_op.drop_index('idx_artists_location')
        batch_op.drop_index('idx_artists_genre')

    op.drop_table('artists')
    # ### end Alembic commands ###
