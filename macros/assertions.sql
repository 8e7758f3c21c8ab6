{#
  Fail the build with a message when a query returns rows. Used where a
  wrong setting or missing data would otherwise drop or misplace rows
  silently. `message` may contain `{values}`, replaced by the first column
  of the offending rows. Skipped while dbt only parses, in unit tests, and
  when `relation` (the model the query reads) does not exist yet, as in
  `dbt compile` on an empty warehouse.
#}
{% macro fail_if_rows(relation, sql, message) -%}
    {#- A unit test replaces refs with its fixtures, so there is no relation to check. -#}
    {%- if model is defined and model.resource_type == 'unit_test' -%}
        {{ return('') }}
    {%- endif -%}
    {%- if execute and load_relation(relation) is not none -%}
        {%- set result = run_query(sql) -%}
        {%- if result.rows | length > 0 -%}
            {%- set values = result.columns[0].values() | map('string') | join(', ') -%}
            {{ exceptions.raise_compiler_error(message | replace('{values}', values)) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{# Fail when a setting names an event type that no event type rule defines. #}
{% macro fail_if_undefined_event_types(setting_name, event_types) -%}
    {%- set event_types_relation = ref('int_event_types') -%}
    {%- for event_type in event_types -%}
        {{ fail_if_rows(
            event_types_relation,
            'select ' ~ sql_string(event_type) ~ ' as event_type from ' ~ event_types_relation
            ~ ' having sum(case when event_type = ' ~ sql_string(event_type) ~ ' then 1 else 0 end) = 0',
            "Var '" ~ setting_name ~ "' names the event type {values}, which no event type rule defines. "
            ~ "Use one of the event_type values of seeds/event_type_rules.csv (or the var event_type_rules), "
            ~ "or add a rule for it."
        ) }}
    {%- endfor -%}
{%- endmacro %}
