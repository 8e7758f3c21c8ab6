{#
  Local time. Matomo's `server_time` is UTC. A site's timezone is an IANA name,
  `UTC`, or a manual offset written `UTC+5.5` / `UTC-3`; `int_sites` splits it
  into `timezone_name` (named zones) and `utc_offset_minutes` (fixed offsets, `UTC` included).
#}

{# UTC timestamp to local wall-clock time, with daylight saving for named zones. #}
{% macro utc_to_local(utc_timestamp, timezone_name, utc_offset_minutes) -%}
    {{ return(adapter.dispatch('utc_to_local', 'hybrid_dashboard')(utc_timestamp, timezone_name, utc_offset_minutes)) }}
{%- endmacro %}

{% macro default__utc_to_local(utc_timestamp, timezone_name, utc_offset_minutes) -%}
    case
        when {{ utc_offset_minutes }} is not null
            then {{ utc_timestamp }} + {{ utc_offset_minutes }} * interval '1 minute'
        else timezone(coalesce({{ timezone_name }}, 'UTC'), timezone('UTC', {{ utc_timestamp }}))
    end
{%- endmacro %}


{#
  SQL returning one row per timezone name in `timezone_names_sql` that this
  engine cannot convert (column `timezone_name`).
#}
{% macro unconvertible_timezones_sql(relation, column) -%}
    {{ return(adapter.dispatch('unconvertible_timezones_sql', 'hybrid_dashboard')(relation, column)) }}
{%- endmacro %}

{% macro default__unconvertible_timezones_sql(relation, column) -%}
    select distinct {{ column }} as timezone_name
    from {{ relation }}
    where {{ column }} is not null
      and {{ column }} not in (select name from pg_timezone_names())
{%- endmacro %}


{% macro to_date(timestamp_expression) -%}
    cast({{ timestamp_expression }} as date)
{%- endmacro %}


{# Monday that starts the ISO week of a date. #}
{% macro week_start(date_expression) -%}
    {{ return(adapter.dispatch('week_start', 'hybrid_dashboard')(date_expression)) }}
{%- endmacro %}

{% macro default__week_start(date_expression) -%}
    cast(date_trunc('week', {{ date_expression }}) as date)
{%- endmacro %}


{# First day of the month of a date. #}
{% macro month_start(date_expression) -%}
    {{ return(adapter.dispatch('month_start', 'hybrid_dashboard')(date_expression)) }}
{%- endmacro %}

{% macro default__month_start(date_expression) -%}
    cast(date_trunc('month', {{ date_expression }}) as date)
{%- endmacro %}


{% macro add_days(date_expression, days) -%}
    {{ return(adapter.dispatch('add_days', 'hybrid_dashboard')(date_expression, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expression, days) -%}
    cast({{ date_expression }} + cast({{ days }} as integer) as date)
{%- endmacro %}


{% macro add_months(date_expression, months) -%}
    {{ return(adapter.dispatch('add_months', 'hybrid_dashboard')(date_expression, months)) }}
{%- endmacro %}

{% macro default__add_months(date_expression, months) -%}
    cast({{ date_expression }} + cast({{ months }} as integer) * interval '1 month' as date)
{%- endmacro %}


{# Whole days from start to end. #}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between', 'hybrid_dashboard')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    date_diff('day', {{ start_date }}, {{ end_date }})
{%- endmacro %}


{# A date literal from 'YYYY-MM-DD' text. #}
{% macro date_literal(text) -%}
    cast({{ sql_string(text) }} as date)
{%- endmacro %}


{# Whole calendar months from the month of start to the month of end. #}
{% macro months_between(start_date, end_date) -%}
    (
        (extract(year from {{ end_date }}) * 12 + extract(month from {{ end_date }}))
        - (extract(year from {{ start_date }}) * 12 + extract(month from {{ start_date }}))
    )
{%- endmacro %}
