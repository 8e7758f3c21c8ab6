{%- set start_date = setting_date('start_date') -%}
{%- set end_date = setting_date('end_date', required=false) -%}

with events as (

    select * from {{ ref('int_game_events') }}

),

final as (

    select
        {{ date_literal(start_date) }} as start_date,
        {% if end_date -%}
        {{ date_literal(end_date) }} as end_date,
        {%- else -%}
        cast(null as date) as end_date,
        {%- endif %}
        max(local_time) as last_event_at,
        {{ dbt_invocation_column() }}

    from events

)

select * from final
