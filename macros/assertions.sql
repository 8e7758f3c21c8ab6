{#
  Fail the build with a message when a query returns rows. Used where a
  wrong setting or missing data would otherwise drop or misplace rows
  silently. `message` may contain `{values}`, replaced by the first column
  of the offending rows. Skipped while dbt only parses, and when `relation`
  (the model the query reads) does not exist yet, as in `dbt compile` on an
  empty warehouse.
#}
{% macro fail_if_rows(relation, sql, message) -%}
    {%- if execute and load_relation(relation) is not none -%}
        {%- set result = run_query(sql) -%}
        {%- if result.rows | length > 0 -%}
            {%- set values = result.columns[0].values() | map('string') | join(', ') -%}
            {{ exceptions.raise_compiler_error(message | replace('{values}', values)) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
