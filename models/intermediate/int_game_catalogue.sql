{#-
  Activity id to game. The configured catalogue (var `game_catalogue`, else
  the seed) wins; with the app database, its links extend it, and among links
  to one activity id the smallest hybrid_games.id wins.
-#}

with configured as (

    {{ seed_or_var_rows('game_catalogue', [
        ('activity_id', 'text'),
        ('game_name', 'text'),
        ('game_code', 'text'),
    ]) }}

),

{% if var('app_database_enabled') | as_bool -%}
app_games as (

    select * from {{ ref('stg_app__games') }}

),

app_links as (

    select * from {{ ref('stg_app__game_links') }}

),
{%- endif %}

candidates as (

    select
        {{ nullif_blank('activity_id') }} as activity_id,
        {{ clean_name('game_name') }} as game_name,
        {{ nullif_blank('game_code') }} as game_code,
        0 as source_rank,
        0 as app_game_id

    from configured

    {% if var('app_database_enabled') | as_bool -%}
    union all

    select
        app_links.activity_id,
        app_games.game_name,
        app_games.game_code,
        1 as source_rank,
        app_games.game_id as app_game_id

    from app_links
    inner join app_games
        on app_links.game_id = app_games.game_id
    {%- endif %}

),

ranked as (

    select
        activity_id,
        game_name,
        game_code,
        row_number() over (
            partition by activity_id
            order by source_rank, app_game_id, game_name
        ) as candidate_rank

    from candidates
    where activity_id is not null

),

catalogue as (

    select
        activity_id,
        game_name,
        game_code

    from ranked
    where candidate_rank = 1

)

select * from catalogue
