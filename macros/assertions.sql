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


{#
  Warn when a setting names an event type that no event type rule defines:
  the build goes on, but no event can have that type, so the scores or the
  repeatability it feeds stay empty.
#}
{% macro warn_if_undefined_event_types(setting_name, event_types) -%}
    {%- set event_types_relation = ref('int_event_types') -%}
    {%- if model is defined and model.resource_type == 'unit_test' -%}
        {{ return('') }}
    {%- endif -%}
    {%- if execute and load_relation(event_types_relation) is not none -%}
        {%- set defined = run_query('select event_type from ' ~ event_types_relation).columns[0].values() | list -%}
        {%- for event_type in event_types if event_type not in defined -%}
            {%- do exceptions.warn(
                "Var '" ~ setting_name ~ "' names the event type '" ~ event_type ~ "', which no event type "
                ~ "rule defines, so no event has it. Use one of: " ~ (defined | join(', '))
                ~ " (seeds/event_type_rules.csv or the var event_type_rules)."
            ) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
