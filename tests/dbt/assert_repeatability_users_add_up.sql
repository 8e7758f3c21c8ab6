{#-
  The users of the games_played rows add up to the players, and without the
  app database the players are the distinct user keys with a game of the
  played event type.
-#}

with repeatability as (

    select sum(user_count) as user_count
    from {{ ref('repeatability_data') }}

),

players as (

    select count(*) as player_count
    from {{ ref('int_players') }}

),

{% if var('app_database_enabled') | as_bool -%}
expected_players as (

    select player_count from players

)
{%- else -%}
expected_players as (

    select count(distinct user_key) as player_count
    from {{ ref('int_game_events') }}
    where event_type = {{ sql_string(var('played_event_type')) }}
      and user_key is not null
      and game_name is not null

)
{%- endif %}

select
    repeatability.user_count,
    players.player_count,
    expected_players.player_count as expected_player_count

from repeatability
cross join players
cross join expected_players
where coalesce(repeatability.user_count, 0) <> players.player_count
   or players.player_count <> expected_players.player_count
