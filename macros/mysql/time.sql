{#
  MySQL/MariaDB versions of the time helpers. Named zones need the server's
  timezone tables (mysql.time_zone*); without them CONVERT_TZ returns NULL,
  which `mysql__unconvertible_timezones_sql` turns into a failed build.
#}

{#
  NOTE: CONVERT_TZ leaves a time outside the TIMESTAMP range (before
  1970-01-01 00:00:01 UTC, or after 2038-01-19 03:14:07 UTC up to MariaDB 11.4)
  unconverted, so such server times would be read as local times of named zones.
#}
{% macro mysql__utc_to_local(utc_timestamp, timezone_name, utc_offset_minutes) -%}
    case
        when {{ utc_offset_minutes }} is not null
            then date_add({{ utc_timestamp }}, interval {{ utc_offset_minutes }} minute)
        else convert_tz({{ utc_timestamp }}, '+00:00', coalesce({{ timezone_name }}, '+00:00'))
    end
{%- endmacro %}


{# CONVERT_TZ returns NULL for a zone name missing from the server's timezone tables. #}
{% macro mysql__unconvertible_timezones_sql(relation, column) -%}
    select distinct {{ column }} as timezone_name
    from {{ relation }}
    where {{ column }} is not null
      and convert_tz(cast('2000-01-01 00:00:00' as datetime), '+00:00', {{ column }}) is null
    order by 1
{%- endmacro %}


{# WEEKDAY() is 0 on Monday. #}
{% macro mysql__week_start(date_expression) -%}
    date_sub({{ date_expression }}, interval weekday({{ date_expression }}) day)
{%- endmacro %}


{% macro mysql__month_start(date_expression) -%}
    date_sub({{ date_expression }}, interval (dayofmonth({{ date_expression }}) - 1) day)
{%- endmacro %}


{% macro mysql__add_days(date_expression, days) -%}
    date_add({{ date_expression }}, interval ({{ days }}) day)
{%- endmacro %}


{% macro mysql__add_months(date_expression, months) -%}
    date_add({{ date_expression }}, interval ({{ months }}) month)
{%- endmacro %}


{% macro mysql__days_between(start_date, end_date) -%}
    datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}
