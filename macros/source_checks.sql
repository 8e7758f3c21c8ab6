{#
  Stop a run before any model when a source table is missing, with a message
  that names the vars that point at it. Without this check the first model
  fails with the database's own "table not found", which names no setting.
  Runs from `on-run-start` in dbt_project.yml.
#}
{% macro check_source_tables() -%}
    {%- if execute -%}
        {%- set missing = [] -%}
        {%- for node in graph.sources.values() if node.package_name == project_name -%}
            {%- if find_source_relation(node) is none -%}
                {%- do missing.append(node.source_name ~ '.' ~ node.name ~ ' (table ' ~ node.identifier ~ ')') -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "Source tables not found in schema '" ~ var('matomo_schema') ~ "' of the target '"
                ~ target.name ~ "': " ~ (missing | join(', ')) ~ ". Check the vars matomo_table_prefix (now "
                ~ (var('matomo_table_prefix') | tojson) ~ "), matomo_schema, matomo_database and app_schema, "
                ~ "and the database the profile points at (DuckDB: HYBRID_DUCKDB_PATH). "
                ~ "The app database tables are read only with app_database_enabled: true."
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{% macro find_source_relation(node) -%}
    {{ return(adapter.dispatch('find_source_relation', 'hybrid_dashboard')(node)) }}
{%- endmacro %}

{% macro default__find_source_relation(node) -%}
    {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.identifier)) }}
{%- endmacro %}

{# MySQL has no databases above schemas, so only the schema and the table name are looked up. #}
{% macro mysql__find_source_relation(node) -%}
    {{ return(adapter.get_relation(database=none, schema=node.schema, identifier=node.identifier)) }}
{%- endmacro %}
