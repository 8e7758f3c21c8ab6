{#-
  Per event type, the games' events plus the events without a game equal the
  total, in the funnel and in every period of the time series.
-#}

with events_without_game as (

    select
        event_type,
        count(*) as events

    from {{ ref('int_game_events') }}
    where game_name is null
    group by event_type

),

funnel_games as (

    select
        event_type,
        sum(events) as events

    from {{ ref('conversion_funnel_games') }}
    group by event_type

),

funnel_mismatches as (

    select
        'funnel' as output_name,
        totals.event_type,
        totals.events as total_events,
        coalesce(funnel_games.events, 0) + coalesce(events_without_game.events, 0) as summed_events

    from {{ ref('conversion_funnel_total') }} as totals
    left join funnel_games
        on totals.event_type = funnel_games.event_type
    left join events_without_game
        on totals.event_type = events_without_game.event_type
    where totals.events <> coalesce(funnel_games.events, 0) + coalesce(events_without_game.events, 0)

),

period_games as (

    select
        period_type,
        period_start,
        event_type,
        sum(events) as events

    from {{ ref('timeseries_games') }}
    group by period_type, period_start, event_type

),

period_events_without_game as (

    select
        'day' as period_type,
        local_date as period_start,
        event_type,
        count(*) as events

    from {{ ref('int_game_events') }}
    where game_name is null
    group by local_date, event_type

),

period_mismatches as (

    select
        'timeseries day' as output_name,
        totals.event_type,
        totals.events as total_events,
        coalesce(period_games.events, 0) + coalesce(period_events_without_game.events, 0) as summed_events

    from {{ ref('timeseries_total') }} as totals
    left join period_games
        on totals.period_type = period_games.period_type
        and totals.period_start = period_games.period_start
        and totals.event_type = period_games.event_type
    left join period_events_without_game
        on totals.period_start = period_events_without_game.period_start
        and totals.event_type = period_events_without_game.event_type
    where totals.period_type = 'day'
      and totals.events <> coalesce(period_games.events, 0) + coalesce(period_events_without_game.events, 0)

)

select * from funnel_mismatches
union all
select * from period_mismatches
