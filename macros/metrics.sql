{#
  The four metrics of any group of events. Blank user and instance keys are
  NULL by then, so distinct counts skip them.
#}
{% macro event_metrics() -%}
    count(*) as events,
    count(distinct user_key) as users,
    count(distinct visit_id) as visits,
    count(distinct instance_key) as instances
{%- endmacro %}


{# Metric columns of a left-joined metrics CTE, with zeros where nothing happened. #}
{% macro metrics_or_zero(relation_alias) -%}
    coalesce({{ relation_alias }}.events, 0) as events,
    coalesce({{ relation_alias }}.users, 0) as users,
    coalesce({{ relation_alias }}.visits, 0) as visits,
    coalesce({{ relation_alias }}.instances, 0) as instances
{%- endmacro %}


{#
  Funnel conversion columns over a CTE with stage_order and users:
  users of a stage over users of stage 1 and of the previous stage, within
  each partition (e.g. game_name). Stages of equal stage_order follow in
  event_type order, as in the exported files.
#}
{% macro funnel_rates(partition_by=none) -%}
    {%- set window -%}
        over ({% if partition_by %}partition by {{ partition_by }} {% endif %}order by stage_order, event_type)
    {%- endset -%}
    {{ rate_6dp('users', 'first_value(users) ' ~ window) }} as conversion_from_start,
    {{ rate_6dp('users', 'lag(users) ' ~ window) }} as conversion_from_previous
{%- endmacro %}


{# One metrics row per period_type, period_start and the extra group columns. #}
{% macro metrics_by_period(events_relation, group_columns=[]) -%}
    {%- set periods = [('day', 'local_date'), ('week', 'local_week_start'), ('month', 'local_month_start')] -%}
    {%- for period_type, period_column in periods %}
    select
        {{ exact_text(sql_string(period_type)) }} as period_type,
        {{ period_column }} as period_start,
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        {{ event_metrics() }}
    from {{ events_relation }}
    group by {{ period_column }}{% for column in group_columns %}, {{ column }}{% endfor %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}


{#
  The id of the dbt run that built a mart. The export checks that every mart it
  reads comes from the same run as pipeline_metadata, so a build that failed
  part-way is never exported as a mix of old and new tables.
#}
{% macro dbt_invocation_column() -%}
    {{ exact_text(sql_string(invocation_id)) }} as dbt_invocation_id
{%- endmacro %}
