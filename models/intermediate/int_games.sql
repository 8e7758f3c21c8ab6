{#- The games with at least one event in the window: every per-game output has a row set for each. -#}

with events as (

    select * from {{ ref('int_game_events') }}

),

games as (

    select distinct game_name
    from events
    where game_name is not null

)

select * from games
