{#- Each period type's events add up, per event type, to the funnel's events: no event is lost or counted twice. -#}

with periods as (

    select
        period_type,
        event_type,
        sum(events) as period_events

    from {{ ref('timeseries_total') }}
    group by period_type, event_type

),

funnel as (

    select * from {{ ref('conversion_funnel_total') }}

)

select
    periods.period_type,
    periods.event_type,
    periods.period_events,
    funnel.events as funnel_events

from periods
inner join funnel
    on periods.event_type = funnel.event_type
where periods.period_events <> funnel.events
