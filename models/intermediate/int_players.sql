{#-
  One row per player with the number of distinct games played. With the app
  database (var app_database_enabled): per hybrid_profile_id, distinct game
  names over completions whose created_at falls in the window in the
  reporting timezone. Without it: per user key, distinct games among events
  of the type in the var played_event_type.
-#}
{%- set app_database_enabled = var('app_database_enabled') | as_bool -%}
{%- set start_date = setting_date('start_date') -%}
{%- set end_date = setting_date('end_date', required=false) -%}

{% if not app_database_enabled -%}
{{ warn_if_undefined_event_types('played_event_type', [var('played_event_type')]) }}
{%- endif %}

{% if app_database_enabled -%}
{{ fail_if_rows(
    ref('int_sites'),
    'select distinct timezone_setting from ' ~ ref('int_sites')
    ~ ' where (select count(distinct timezone_setting) from ' ~ ref('int_sites') ~ ') > 1',
    "The selected sites have different timezones ({values}), so the app database's completion "
    ~ "dates cannot be placed in one reporting window. Set the var reporting_timezone "
    ~ "(e.g. --vars '{reporting_timezone: Asia/Kolkata}') or select sites of one timezone with site_ids."
) }}
{%- endif %}

{% if app_database_enabled -%}
with completions as (

    select * from {{ ref('stg_app__game_completions') }}

),

game_links as (

    select * from {{ ref('stg_app__game_links') }}

),

games as (

    select * from {{ ref('stg_app__games') }}

),

sites as (

    select * from {{ ref('int_sites') }}

),

reporting_timezone as (

    select
        max(timezone_name) as timezone_name,
        max(utc_offset_minutes) as utc_offset_minutes

    from sites

),

completions_with_local_date as (

    select
        game_links.profile_id,
        games.game_name,
        {{ to_date(utc_to_local(
            'completions.created_at_utc',
            'reporting_timezone.timezone_name',
            'reporting_timezone.utc_offset_minutes'
        )) }} as local_date

    from completions
    inner join game_links
        on completions.game_link_id = game_links.game_link_id
    inner join games
        on game_links.game_id = games.game_id
    cross join reporting_timezone

),

players as (

    select
        profile_id as player_key,
        count(distinct game_name) as games_played

    from completions_with_local_date
    where profile_id is not null
      and game_name is not null
      and local_date >= {{ date_literal(start_date) }}
      {%- if end_date %}
      and local_date <= {{ date_literal(end_date) }}
      {%- endif %}
    group by profile_id

)
{%- else -%}
with events as (

    select * from {{ ref('int_game_events') }}

),

players as (

    select
        user_key as player_key,
        count(distinct game_name) as games_played

    from events
    where event_type = {{ sql_string(var('played_event_type')) }}
      and user_key is not null
      and game_name is not null
    group by user_key

)
{%- endif %}

select
    player_key,
    games_played,
    {{ exact_text(sql_string('app_db' if app_database_enabled else 'matomo')) }} as source

from players
