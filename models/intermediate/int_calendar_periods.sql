{#-
  Every day, week (starting Monday) and month from the one containing
  start_date to the one containing end_date, or the newest event's local date
  when end_date is null. No rows when there is no event and no end_date.
-#}
{%- set start_date = setting_date('start_date') -%}
{%- set end_date = setting_date('end_date', required=false) -%}

with events as (

    select * from {{ ref('int_game_events') }}

),

integers as (

    select * from {{ ref('int_integers') }}

),

bounds as (

    {% if end_date -%}
    select
        {{ date_literal(start_date) }} as first_date,
        {{ date_literal(end_date) }} as last_date
    from (select count(*) as event_count from events) as single_row
    {%- else -%}
    select
        {{ date_literal(start_date) }} as first_date,
        max(local_date) as last_date
    from events
    {%- endif %}

),

days as (

    select
        'day' as period_type,
        {{ add_days('bounds.first_date', 'integers.n') }} as period_start

    from bounds
    inner join integers
        on integers.n <= {{ days_between('bounds.first_date', 'bounds.last_date') }}

),

weeks as (

    select
        'week' as period_type,
        {{ add_days(week_start('bounds.first_date'), '7 * integers.n') }} as period_start

    from bounds
    inner join integers
        on 7 * integers.n <= {{ days_between(week_start('bounds.first_date'), week_start('bounds.last_date')) }}

),

months as (

    select
        'month' as period_type,
        {{ add_months(month_start('bounds.first_date'), 'integers.n') }} as period_start

    from bounds
    inner join integers
        on integers.n <= {{ months_between('bounds.first_date', 'bounds.last_date') }}

),

periods as (

    select * from days
    union all
    select * from weeks
    union all
    select * from months

),

final as (

    select
        {{ exact_text('period_type') }} as period_type,
        period_start

    from periods

)

select * from final
